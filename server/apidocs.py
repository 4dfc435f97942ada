"""The interactive API docs at `/api/docs`: Swagger UI served from this origin, out of the
flask-swagger-ui package, so the page that shares the tokens' storage runs no third-party code."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Flask, Response, abort, send_from_directory

DOCS_PATH = "/api/docs"
SPEC_URL = "/api/openapi.json"
ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
_ASSET_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png",
                "favicon-16x16.png")
# No inline script: the CSP allows scripts from this origin only, so the start-up is a file too.
# validatorUrl null: Swagger UI would otherwise send the spec to an online validator. The base
# layout: the standalone one adds a top bar whose logo carries an inline <style> the CSP refuses.
START = f"""window.addEventListener('load', function () {{
  window.ui = SwaggerUIBundle({{
    url: '{SPEC_URL}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  }});
}});
"""
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FieldSync API</title>
<link rel="stylesheet" href="{DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="{DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_PATH}/start.js"></script>
</body>
</html>
"""


def register(app: Flask) -> None:
    """`/api/docs` the page, `/api/docs/<file>` its scripts and styles."""

    @app.get(DOCS_PATH, endpoint="api_docs")
    def page() -> Response:
        return Response(PAGE, mimetype="text/html")

    @app.get(f"{DOCS_PATH}/start.js", endpoint="api_docs_start")
    def start() -> Response:
        return Response(START, mimetype="text/javascript")

    @app.get(f"{DOCS_PATH}/<name>", endpoint="api_docs_asset")
    def asset(name: str) -> Response:
        if name not in _ASSET_FILES:
            abort(404)
        return send_from_directory(ASSETS, name, max_age=3600)
