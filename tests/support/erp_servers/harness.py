"""Wiring for outbox tests: enqueue orders, seed receipts, build drainers on a test ERP."""

from __future__ import annotations

from typing import Any

from erp_bridge.adapters import ErpAdapter, adapter_from_settings
from erp_bridge.drain import OutboxDrainer
from erp_bridge.outbox import enqueue_order
from server.audit.recorder import record
from server.bootstrap import Services
from server.config import Settings
from server.sql.session import transaction
from tests.support.erp_servers.base import ErpTestServer
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.orders import order_doc

ENGINEER = "asha"


def engineer_db(services: Services) -> str:
    return f"{services.settings.db_prefix}eng-{ENGINEER}"


def erp_overrides(kind: str, server: ErpTestServer | None, **extra: Any) -> dict[str, Any]:
    """Settings for a test ERP, for `build_services(**erp_overrides(...))`."""
    user, password = ("key", "secret") if kind == "erpnext" else ("erpuser", "erppass")
    values: dict[str, Any] = {"erp_kind": kind, "erp_url": server.url if server else "",
                              "erp_username": user, "erp_password": password,
                              "erp_timeout_s": 0.3, "erp_backoff_base_s": 1.0,
                              "erp_backoff_cap_s": 30.0, "erp_max_attempts": 8}
    return {**values, **extra}


def erp_settings(services: Services, kind: str, server: ErpTestServer | None,
                 **extra: Any) -> Settings:
    """The settings of `services` pointed at a test ERP (for a drainer built here)."""
    return services.settings.with_overrides(**erp_overrides(kind, server, **extra))


def enqueue(services: Services, numbers: range, kind: str,
            receipts: bool = True) -> list[dict[str, Any]]:
    """Orders as the worker would write them: outbox rows in SQL, receipts in the store."""
    docs = [order_doc(n, owner=ENGINEER) for n in numbers]
    db = engineer_db(services)
    with transaction(services.sessions) as session:
        for doc in docs:
            enqueue_order(session, doc, db, kind)
    if receipts:
        services.store.ensure_db(db)
        services.store.bulk_docs(db, [{"_id": "receipt:" + d["_id"], "type": "receipt",
                                       "doc_id": d["_id"], "status": "accepted",
                                       "erp": {"status": "queued", "number": None,
                                               "reason": ""}} for d in docs])
    return docs


def drainer(services: Services, settings: Settings, clock: FakeClock,
            adapter: ErpAdapter | None = None) -> OutboxDrainer:
    return OutboxDrainer(services.sessions, adapter or adapter_from_settings(settings),
                         services.store, settings, audit=record, clock=clock.now,
                         sleep=clock.sleep)


def receipts(services: Services, docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows = services.store.all_docs(engineer_db(services), ["receipt:" + d["_id"] for d in docs],
                                   include_docs=True)
    return {row["key"].removeprefix("receipt:"): row["doc"]["erp"] for row in rows}
