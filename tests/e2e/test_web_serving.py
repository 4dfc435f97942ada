"""server/webapp.py: the built app at `/`, deep links, caching, and a clear page without a build."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.bootstrap import Services
from server.webapp import IMMUTABLE, NO_CACHE, cache_control, register


def fake_build(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>FieldSync</title><div id=root>")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "assets" / "index-Br0S741o.js").write_text("console.log('app');")
    return root


def client(services: Services, dist: Path) -> FlaskClient:
    app = Flask("webapp-test")
    register(app, services, dist)
    return app.test_client()


def test_the_app_deep_links_and_caching(services: Services, tmp_path: Path) -> None:
    web = client(services, fake_build(tmp_path / "dist"))
    root = web.get("/")
    assert root.status_code == 200 and b"id=root" in root.data
    assert root.headers["Cache-Control"] == NO_CACHE
    deep = web.get("/offers/offer:abc")
    assert deep.status_code == 200 and b"id=root" in deep.data
    sw = web.get("/sw.js")
    assert sw.headers["Cache-Control"] == NO_CACHE and sw.headers["Service-Worker-Allowed"] == "/"
    asset = web.get("/assets/index-Br0S741o.js")
    assert asset.status_code == 200 and asset.headers["Cache-Control"] == IMMUTABLE
    assert web.get("/assets/missing-12345678.js").status_code == 404
    assert web.get("/api/v1/nothing").status_code == 404
    assert web.get("/../setup.cfg").status_code == 404


def test_without_a_build_the_page_says_to_run_make(services: Services, tmp_path: Path) -> None:
    web = client(services, tmp_path / "nothing-built")
    page = web.get("/")
    assert page.status_code == 200 and b"make" in page.data
    assert web.get("/offers").status_code == 200


def test_the_full_app_keeps_the_api_and_gives_the_phone_its_settings(services: Services) -> None:
    web = create_app(services=services).test_client()
    assert web.get("/app-config.json").get_json() == {
        "company_state": services.settings.company_state, "map_tile_url": ""}
    missing = web.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and b"<!doctype" not in missing.data.lower()
    assert web.get("/api/v1/auth/me").status_code == 401
    # A fresh store and SQL with no worker running and nothing waiting: healthy, and answered
    # by the server rather than the web app's page.
    health = web.get("/healthz")
    assert health.status_code == 200, health.get_json()
    assert health.get_json()["ok"] is True


def test_cache_rules() -> None:
    assert cache_control("index.html") == NO_CACHE
    assert cache_control("sw.js") == NO_CACHE
    assert cache_control("workbox-9c191d2f.js") == IMMUTABLE
    assert cache_control("manifest.webmanifest") == NO_CACHE
