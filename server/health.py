"""Operations endpoints: /healthz (store, SQL, worker lag) and /metrics (Prometheus)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from server.bootstrap import Services


def register(app: Flask, services: Services) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        report = health_report(services)
        return jsonify(report), 200 if report["ok"] else 503

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def health_report(services: Services) -> dict[str, Any]:
    sql_ok = _sql_ok(services)
    store_ok = services.store.ping()
    return {"ok": sql_ok and store_ok, "sql": sql_ok, "store": store_ok}


def _sql_ok(services: Services) -> bool:
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach SQL is reported, not raised
        return False
    return True
