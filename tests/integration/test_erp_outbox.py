"""The outbox drain on SQLite and PostgreSQL against the test ERPs: exactly once, dead letters."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from erp_bridge.admin import ErpAdmin
from erp_bridge.errors import OutboxError, SnapshotError
from erp_bridge.outbox import enqueue_order, erp_receipt_enricher, erp_receipt_part
from erp_bridge.snapshot import build_snapshot
from server.audit.recorder import record
from server.bootstrap import Services
from server.sql.models.erp import ErpAttempt, ErpOutbox
from server.sql.session import transaction
from tests.support.erp_servers.base import FAULTS
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.harness import (
    drainer,
    engineer_db,
    enqueue,
    erp_settings,
    receipts,
)
from tests.support.erp_servers.orders import order_doc

KINDS = ["sap", "oracle", "erpnext"]


@pytest.fixture(params=KINDS)
def kind_and_server(request: pytest.FixtureRequest) -> tuple[str, Any]:
    return request.param, request.getfixturevalue(f"{request.param}_server")


def test_enqueue_is_idempotent_and_freezes_a_snapshot(services: Services) -> None:
    doc = order_doc(1)
    with transaction(services.sessions) as session:
        enqueue_order(session, doc, engineer_db(services), "sap")
        enqueue_order(session, {**doc, "customer_id": "changed"}, engineer_db(services), "sap")
    with transaction(services.sessions) as session:
        enqueue_order(session, doc, engineer_db(services), "sap")
        rows = session.scalars(select(ErpOutbox)).all()
        assert len(rows) == 1
        assert rows[0].snapshot == build_snapshot(doc)
        assert rows[0].status == "queued"
        assert erp_receipt_part(session, doc["_id"]) == {"status": "queued", "number": None,
                                                         "reason": ""}


def test_enqueue_refuses_an_order_without_lines(services: Services) -> None:
    with pytest.raises(SnapshotError, match="no lines"), \
            transaction(services.sessions) as session:
        enqueue_order(session, {**order_doc(2), "lines": []}, engineer_db(services), "sap")


def test_every_fault_ends_with_exactly_one_erp_order(services: Services,
                                                     kind_and_server: tuple[str, Any]) -> None:
    kind, server = kind_and_server
    faults = [*FAULTS, "token-expiry"] if kind == "sap" else list(FAULTS)
    docs = enqueue(services, range(1, len(faults) + 3), kind)
    server.faults.push(*faults)
    clock = FakeClock()
    report = drainer(services, erp_settings(services, kind, server), clock).run_until_idle()
    assert server.faults.fired == faults
    keys = [build_snapshot(d)["key"] for d in docs]
    assert [server.count(k) for k in keys] == [1] * len(docs)
    assert report.accepted == len(docs) and report.dead == 0
    erp = receipts(services, docs)
    assert all(e["status"] == "accepted" and e["number"] for e in erp.values())
    with services.sessions() as session:  # the first order met the 429 with Retry-After: 2
        first = session.scalars(select(ErpAttempt.at).where(
            ErpAttempt.order_id == docs[0]["_id"]).order_by(ErpAttempt.id)).all()
    assert len(first) == 2 and (first[1] - first[0]).total_seconds() >= 2.0


def test_dead_letter_after_the_limit_then_admin_retry(services: Services,
                                                      kind_and_server: tuple[str, Any]) -> None:
    kind, server = kind_and_server
    docs = enqueue(services, range(1, 2), kind)
    settings = erp_settings(services, kind, server, erp_max_attempts=3)
    server.faults.push("503", "503", "503")
    clock = FakeClock()
    assert drainer(services, settings, clock).run_until_idle().dead == 1
    admin = ErpAdmin(services.sessions, kind, clock.now, audit=record)
    [dead] = admin.list_dead_letters()
    assert dead["order_id"] == docs[0]["_id"] and "503" in dead["reason"]
    assert receipts(services, docs)[docs[0]["_id"]]["status"] == "failed"
    assert admin.health()[0]["failed"] == 1
    admin.retry(docs[0]["_id"])
    assert drainer(services, settings, clock).run_until_idle().accepted == 1
    assert admin.list_dead_letters() == []
    assert server.count(build_snapshot(docs[0])["key"]) == 1
    assert receipts(services, docs)[docs[0]["_id"]]["number"]


def test_validation_error_is_dead_at_once_with_the_erps_text(
        services: Services, kind_and_server: tuple[str, Any]) -> None:
    kind, server = kind_and_server
    doc = order_doc(7, customer="BAD-9")
    with transaction(services.sessions) as session:
        enqueue_order(session, doc, engineer_db(services), kind)
    clock = FakeClock()
    report = drainer(services, erp_settings(services, kind, server), clock).run_until_idle()
    assert (report.dead, report.claimed) == (1, 1)
    admin = ErpAdmin(services.sessions, kind, clock.now, audit=record)
    [dead] = admin.list_dead_letters()
    assert dead["attempts"] == 1
    assert "BAD-9" in dead["reason"] or "failed validation" in dead["reason"]
    with pytest.raises(OutboxError, match="No order order:none"):
        admin.retry("order:none")
    assert admin.retry_all() == 1
    assert admin.list_outbox(status="queued")[0]["attempts"] == 0


def test_retry_refuses_orders_in_flight(services: Services) -> None:
    enqueue(services, range(1, 2), "sap", receipts=False)
    admin = ErpAdmin(services.sessions, "sap", audit=record)
    with pytest.raises(OutboxError, match="is queued"):
        admin.retry(order_doc(1)["_id"])
    with pytest.raises(OutboxError, match="Unknown status"):
        admin.list_outbox(status="lost")


def test_without_an_erp_orders_stay_visibly_not_sent(services: Services) -> None:
    docs = enqueue(services, range(1, 3), "null")
    clock = FakeClock()
    report = drainer(services, erp_settings(services, "null", None), clock).drain_once()
    assert report.claimed == 0 and report.receipts == 2
    assert {e["status"] for e in receipts(services, docs).values()} == {"not_sent"}
    admin = ErpAdmin(services.sessions, "null", clock.now, audit=record)
    assert admin.health()[0]["not_sent"] == 2
    with pytest.raises(OutboxError, match="No ERP is configured"):
        admin.retry(docs[0]["_id"])


def test_receipts_written_later_when_the_worker_had_not_written_them(
        services: Services, sap_server: Any) -> None:  # noqa: F811
    docs = enqueue(services, range(1, 3), "sap", receipts=False)
    services.store.ensure_db(engineer_db(services))
    clock = FakeClock()
    drain = drainer(services, erp_settings(services, "sap", sap_server), clock)
    assert drain.run_until_idle().receipts == 0
    services.store.bulk_docs(engineer_db(services), [
        {"_id": "receipt:" + d["_id"], "type": "receipt", "status": "accepted"} for d in docs])
    assert drain.publish_receipts() == 2
    assert all(e["status"] == "accepted" for e in receipts(services, docs).values())
    with services.sessions() as session:
        outcomes = session.scalars(select(ErpAttempt.outcome)).all()
    assert outcomes == ["accepted", "accepted"]
    health = ErpAdmin(services.sessions, "sap", clock.now, audit=record).health()
    assert health[0]["accepted"] == 2 and health[0]["last_accepted_at"]


def test_worker_receipts_keep_the_erp_part(services: Services) -> None:
    docs = enqueue(services, range(1, 3), "sap", receipts=False)

    class Row:
        def __init__(self, doc_id: str) -> None:
            self.doc_id = doc_id

    with services.sessions() as session:
        parts = erp_receipt_enricher(session, [Row(docs[0]["_id"]), Row("visit:v1")])
    assert parts == {docs[0]["_id"]: {"erp": {"status": "queued", "number": None,
                                              "reason": ""}}}
