"""Serves the built web app at `/`, with caching that keeps offline updates sane.

The app is found in the checkout (`web/dist`, what `make` builds) or, in an installed package,
in `server/web_dist` (the same build, copied into the wheel by `make wheel`).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from flask import Flask, Response, abort, jsonify, request, send_from_directory
from werkzeug.security import safe_join

from server.bootstrap import Services
from server.security import InlineBlocks, inline_blocks

CHECKOUT_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
PACKAGED_DIST = Path(__file__).resolve().parent / "web_dist"
# Paths the app never answers with index.html: they belong to the API, the gateway or operations.
_RESERVED = ("api/", "sync/", "healthz", "metrics")
# Vite names build output `name-<hash>.ext`; such files never change, so browsers keep them.
_HASHED = re.compile(r"(^|/)assets/|-[A-Za-z0-9_-]{8,}\.(js|css|woff2?|png|svg|jpg)$")
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
MISSING_BUILD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>FieldSync</title></head><body><h1>FieldSync</h1>
<p>The web app has not been built yet. Run <code>make</code> (or <code>make setup</code>) in the
FieldSync checkout, then reload this page. The API is at <a href="/api/docs">/api/docs</a>.</p>
</body></html>"""


def cache_control(path: str) -> str:
    """Hashed assets forever; the service worker, index.html and anything else revalidated."""
    return IMMUTABLE if _HASHED.search(path) else NO_CACHE


# Pre-compressed copies written by the build (web/precompress.js), best first.
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def _precompressed(dist: Path, path: str) -> tuple[str, str] | None:
    """The encoding and file name of a compressed copy the browser accepts, if the build has
    one: a phone on 2G gets the app in a fifth of the bytes."""
    for encoding, suffix in PRECOMPRESSED:
        if request.accept_encodings[encoding] and (dist / (path + suffix)).is_file():
            return encoding, path + suffix
    return None


def _file(dist: Path, path: str) -> Response:
    found = _precompressed(dist, path)
    if found is None:
        response = send_from_directory(dist, path, max_age=None)
    else:
        encoding, stored = found
        response = send_from_directory(dist, stored, max_age=None, mimetype=_mimetype(path),
                                       etag=False)
        response.headers["Content-Encoding"] = encoding
        response.set_etag(f"{encoding}-{stat_tag(dist / stored)}")
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = cache_control(path)
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response


def _mimetype(path: str) -> str:
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def stat_tag(path: Path) -> str:
    info = path.stat()
    return f"{info.st_mtime_ns:x}-{info.st_size:x}"


def _app_page(dist: Path, path: str) -> Response:
    if not (dist / "index.html").is_file():
        return Response(MISSING_BUILD, 200, {"Cache-Control": NO_CACHE},
                        mimetype="text/html")
    if path:
        found = safe_join(str(dist), path)
        if found is not None and Path(found).is_file():
            return _file(dist, path)
        if "." in path.rsplit("/", 1)[-1]:
            abort(404)  # a missing file, not a deep link into the app
    return _file(dist, "index.html")


def page_inline_blocks(dist: Path) -> InlineBlocks:
    """The app page's inline blocks (its first stylesheet, the sign-in form's script), which
    the Content-Security-Policy names by hash; none when the app is not built."""
    page = dist / "index.html"
    return inline_blocks(page.read_text(encoding="utf-8")) if page.is_file() else InlineBlocks()


def find_dist(candidates: tuple[Path, ...] = (CHECKOUT_DIST, PACKAGED_DIST)) -> Path:
    """The first build that exists: a checkout's own build wins over a packaged copy, which
    may be older; without any, the first candidate (the page then says to build it)."""
    for dist in candidates:
        if (dist / "index.html").is_file():
            return dist
    return candidates[0]


def register(app: Flask, services: Services, dist: Path | None = None) -> None:
    """`/` and unknown non-API paths answer the app (deep links work); `/app-config.json` the
    server settings the phone needs offline."""
    root = dist or find_dist()

    @app.get("/app-config.json")
    def app_config() -> Response:
        settings = services.settings
        response = jsonify({"company_state": settings.company_state,
                            "map_tile_url": settings.map_tile_url})
        response.headers["Cache-Control"] = NO_CACHE
        return response

    @app.get("/", defaults={"path": ""}, endpoint="webapp")
    @app.get("/<path:path>", endpoint="webapp")
    def webapp(path: str) -> Response:
        if path.startswith(_RESERVED):
            abort(404)
        return _app_page(root, path)
