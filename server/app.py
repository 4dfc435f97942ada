"""The Flask app factory: the REST API, the sync gateway, operations endpoints and the web app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from server import apidocs, webapp
from server.bootstrap import Services, bootstrap
from server.compression import install_compression
from server.config import Settings
from server.security import install_headers

API_TITLE = "FieldSync API"


def create_app(settings: Settings | None = None, services: Services | None = None,
               web_dist: Path | None = None) -> Flask:
    """The app; `web_dist` is the built web app to serve (default: web/dist of the checkout)."""
    if services is None:
        services = bootstrap(settings or Settings.from_env())
    app = Flask("fieldsync")
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=services.settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.extensions["fieldsync"] = services
    dist = web_dist or webapp.find_dist()
    install_headers(app, services.settings.map_tile_url, webapp.page_inline_blocks(dist))
    install_compression(app)

    if services.settings.trusted_proxies:
        # Behind nginx every request comes from the proxy: the client's address (login
        # throttling, audit) and scheme are in the X-Forwarded-* headers it sets.
        hops = services.settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    api = Api(app)
    _register(app, api, services, dist)
    return app


def _register(app: Flask, api: Api, services: Services, web_dist: Path) -> None:
    from server import health
    from server.accounts import web as accounts_web
    from server.api import erp as erp_api
    from server.api import prepare as prepare_api
    from server.api import register as register_api
    from server.reports import web as reports_web
    from sync.gateway import web as gateway_web

    prepare_api(app, api)  # before any blueprint: how schemas appear in the OpenAPI document
    health.register(app, services)
    apidocs.register(app)
    accounts_web.register(app, api, services.accounts)
    gateway_web.register(app, services.gateway(), services.accounts, services.settings.db_prefix)
    register_api(app, api, services)
    api.register_blueprint(erp_api.blp)
    reports_web.register(app, api, services)
    webapp.register(app, services, web_dist)  # last: its catch-all must not shadow the API
