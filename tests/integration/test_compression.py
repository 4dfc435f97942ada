"""A phone on 2G gets the app and its data compressed: the build's pre-compressed files, JSON
answers of the API and the gateway; live feeds pass through untouched; the page's own inline
blocks are the only inline code the Content-Security-Policy lets run."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient

from server.accounts.service import create_user
from server.app import create_app
from server.bootstrap import Services
from server.security import inline_blocks
from tests.support.gateway_docs import todo

PASSWORD = "correct horse battery"
SCRIPT = "document.title = 'FieldSync';"
STYLE = "body{margin:0}"
APP_JS = ("console.log('the field app');\n" * 400).encode()


def fake_build(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(
        f"<!doctype html><head><style>{STYLE}</style><script type=module src=/assets/a.js>"
        f"</script></head><body><div id=root></div><script>{SCRIPT}</script></body>")
    app_js = root / "assets" / "index-Br0S741o.js"
    app_js.write_bytes(APP_JS)
    app_js.with_name(app_js.name + ".br").write_bytes(brotli.compress(APP_JS))
    app_js.with_name(app_js.name + ".gz").write_bytes(gzip.compress(APP_JS))
    return root


@pytest.fixture
def client(services: Services, tmp_path: Path) -> Iterator[FlaskClient]:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer", team="south", territory="KA")
    app = create_app(services=services, web_dist=fake_build(tmp_path / "dist"))
    with app.test_client() as c:
        yield c


def token(client: FlaskClient) -> str:
    r = client.post("/api/v1/auth/login", json={"username": "asha", "password": PASSWORD})
    assert r.status_code == 200, r.json
    return f"Bearer {r.json['access_token']}"


def test_the_built_app_goes_out_pre_compressed_in_the_best_encoding_the_browser_takes(
        client: FlaskClient) -> None:
    path = "/assets/index-Br0S741o.js"
    best = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.data) == APP_JS and len(best.data) < len(APP_JS) / 10
    assert best.mimetype == "text/javascript" and "Accept-Encoding" in best.headers["Vary"]
    plain_gzip = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(plain_gzip.data) == APP_JS
    # Each encoding is its own representation: a cache must not hand brotli to a gzip client.
    assert best.headers["ETag"] != plain_gzip.headers["ETag"]
    raw = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in raw.headers and raw.data == APP_JS


def test_json_from_the_gateway_and_the_api_is_compressed(client: FlaskClient) -> None:
    tok = token(client)
    docs = [dict(todo("asha", f"t{i}"), _rev=f"1-{i:03x}") for i in range(200)]
    pushed = client.post("/sync/me/_bulk_docs", headers={"Authorization": tok},
                         json={"docs": docs, "new_edits": False})
    assert pushed.status_code == 201
    listed = client.get("/sync/me/_all_docs?include_docs=true",
                        headers={"Authorization": tok, "Accept-Encoding": "gzip"})
    assert listed.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(listed.data))["rows"]) == 200
    # _bulk_get is relayed as a stream from the store: compressed as it streams.
    wanted = {"docs": [{"id": d["_id"], "rev": d["_rev"]} for d in docs]}
    fetched = client.post("/sync/me/_bulk_get?revs=true", json=wanted,
                          headers={"Authorization": tok, "Accept-Encoding": "gzip, deflate"})
    assert fetched.headers["Content-Encoding"] == "deflate"
    assert len(json.loads(zlib.decompress(fetched.data))["results"]) == 200
    spec = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert spec.headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(spec.data))


def test_a_live_feed_is_never_held_back_by_a_compressor_or_proxy(client: FlaskClient) -> None:
    feed = client.get("/sync/me/_changes?feed=longpoll&since=now&timeout=200&heartbeat=100",
                      headers={"Authorization": token(client),
                               "Accept-Encoding": "gzip, deflate, br"})
    assert feed.status_code == 200
    assert feed.headers["X-Accel-Buffering"] == "no" and "Content-Encoding" not in feed.headers
    assert "results" in json.loads(feed.data)


def test_the_csp_names_the_pages_own_inline_blocks_and_nothing_else(
        client: FlaskClient) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    script = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    style = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{script}';" in csp
    assert f"style-src 'self' 'sha256-{style}';" in csp
    assert "unsafe-inline" not in csp


def test_inline_blocks_skip_scripts_loaded_from_files() -> None:
    blocks = inline_blocks("<script src=/a.js></script><script>x()</script><style>p{}</style>")
    assert len(blocks.scripts) == 1 and len(blocks.styles) == 1
    assert inline_blocks("<p>no code</p>").scripts == ()
