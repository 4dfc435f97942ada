"""Operations endpoints: /healthz (store, SQL, worker lag, partitions) and /metrics."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify
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

# Past this, the worker is too far behind for phones to get receipts promptly.
MAX_HEALTHY_LAG_S = 300.0


def register(app: Flask, services: Services) -> None:
    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        report = health_report(services)
        return jsonify(report), 200 if report["ok"] else 503

    @app.get("/metrics")
    def metrics() -> Response:
        body = generate_latest(_registry())
        # Owners and lag per partition, read from SQL at scrape time: true whichever worker
        # (on whichever machine) holds a partition now.
        partitions = CollectorRegistry()
        partitions.register(PartitionCollector(services))
        return Response(body + generate_latest(partitions), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """Every FieldSync process's metrics when they share a multi-process directory."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def health_report(services: Services) -> dict[str, Any]:
    store_ok = services.store.ping()
    try:
        dirty, lag = _worker_lag(services)
        partitions: dict[str, Any] = partition_report(services)
        sql_ok = True
    except Exception:  # any failure to reach SQL is reported, not raised
        dirty, lag, sql_ok, partitions = 0, None, False, {}
    lagging = lag is not None and lag > MAX_HEALTHY_LAG_S
    orphaned = not partitions.get("ok", True)
    return {"ok": sql_ok and store_ok and not lagging and not orphaned, "store": store_ok,
            "sql": sql_ok, "worker": {"dirty_databases": dirty,
                                      "lag_s": None if lag is None else round(lag, 3)},
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
