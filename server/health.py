"""Operations endpoints: /healthz (store, SQL, worker lag, partitions) and /metrics."""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import abort
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select

from server.bootstrap import Services
from server.partition_health import PartitionCollector, partition_report
from server.sql.models.sync_state import DirtyDatabase
from sync.heartbeat import WorkerHealth, worker_health

_LOOPBACK = frozenset({"127.0.0.1", "::1"})
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
# Past this, the worker is too far behind for phones to get receipts promptly.
MAX_HEALTHY_LAG_S = 300.0


def register(app: Flask, services: Services) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        report = health_report(services)
        return jsonify(report), 200 if report["ok"] else 503

    @app.get("/metrics")
    def metrics() -> Response:
        refusal = metrics_refusal(services.settings.metrics_token)
        if refusal is not None:
            status, message = refusal
            abort(status, message=message,
                  headers={"WWW-Authenticate": "Bearer"} if status == 401 else {})
        body = generate_latest(_registry())
        # Owners and lag per partition, read from SQL at scrape time: true whichever worker
        # (on whichever machine) holds a partition now.
        partitions = CollectorRegistry()
        partitions.register(PartitionCollector(services))
        return Response(body + generate_latest(partitions), mimetype=CONTENT_TYPE_LATEST)


def metrics_refusal(token: str) -> tuple[int, str] | None:
    """Why this request may not read /metrics (status, reason), or None when it may.

    With FIELDSYNC_METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it. Unset,
    only a request from this machine that no proxy relayed does (a proxy on the same machine
    would otherwise expose it to everyone).
    """
    if token:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(),
                                                              token.encode()):
            return None
        return 401, "send the FIELDSYNC_METRICS_TOKEN as 'Authorization: Bearer …'"
    relayed = any(request.headers.get(h) for h in _PROXY_HEADERS)
    if request.remote_addr in _LOOPBACK and not relayed:
        return None
    return 403, ("/metrics answers only requests from this machine: set "
                 "FIELDSYNC_METRICS_TOKEN to read it from elsewhere with that bearer token")


def _registry() -> CollectorRegistry:
    """Every FieldSync process's metrics when they share a multi-process directory."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def health_report(services: Services) -> dict[str, Any]:
    store_ok = services.store.ping()
    workers: list[WorkerHealth] = []
    try:
        dirty, lag = _worker_lag(services)
        with services.sessions() as session:
            workers = worker_health(session)
        partitions: dict[str, Any] = partition_report(services)
        sql_ok = True
    except Exception:  # any failure to reach SQL is reported, not raised
        dirty, lag, sql_ok, partitions = 0, None, False, {}
    lagging = lag is not None and lag > MAX_HEALTHY_LAG_S
    # A worker waiting out an SQL or disk error, or one whose beat stopped, is not healthy even
    # while this process still reads SQL (a full disk on SQLite refuses writes, not reads).
    workers_ok = all(w.ok for w in workers)
    orphaned = not partitions.get("ok", True)
    return {"ok": sql_ok and store_ok and not lagging and workers_ok and not orphaned,
            "store": store_ok, "sql": sql_ok,
            "worker": {"dirty_databases": dirty, "lag_s": None if lag is None else round(lag, 3),
                       "ok": workers_ok,
                       "processes": [{"id": w.worker_id, "ok": w.ok, "state": w.state,
                                      "error": w.last_error, "beat_age_s": round(w.beat_age_s, 1)}
                                     for w in workers]},
            "partitions": partitions}


def _worker_lag(services: Services) -> tuple[int, float | None]:
    """How many databases wait for the worker, and for how long the oldest has waited."""
    with services.sessions() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(DirtyDatabase.marked_at))).one()
    if oldest is None:
        return int(count), None
    if oldest.tzinfo is None:  # SQLite returns naive timestamps
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), (datetime.now(UTC) - oldest).total_seconds()
