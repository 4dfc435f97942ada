"""The Flask app factory: the REST API, the sync gateway, operations endpoints and the web app."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from server.bootstrap import Services, bootstrap
from server.config import Settings

API_TITLE = "FieldSync API"


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    if services is None:
        services = bootstrap(settings or Settings.from_env())
    app = Flask("fieldsync")
    app.config.update(
        API_TITLE=API_TITLE,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=services.settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.extensions["fieldsync"] = services
    if services.settings.trusted_proxies:
        # Behind nginx every request comes from the proxy: the client's address (login
        # throttling, audit) and scheme are in the X-Forwarded-* headers it sets.
        hops = services.settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    api = Api(app)
    _register(app, api, services)
    return app


def _register(app: Flask, api: Api, services: Services) -> None:
    from erp_bridge import api as erp_api
    from server import health, webapp
    from server.accounts import web as accounts_web
    from server.api import prepare as prepare_api
    from server.api import register as register_api
    from server.reports import web as reports_web
    from sync.gateway import web as gateway_web

    prepare_api(app, api)  # before any blueprint: how schemas appear in the OpenAPI document
    health.register(app, services)
    accounts_web.register(app, api, services.accounts)
    gateway_web.register(app, services)
    register_api(app, api, services)
    api.register_blueprint(erp_api.blp)
    reports_web.register(app, api, services)
    webapp.register(app, services)  # last: its catch-all must not shadow the API
