"""An order written by a phone reaches the ERP once, and its receipt carries the ERP number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from server.bootstrap import Services
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sql.models.documents import Order
from sync.dirty import DirtySet
from sync.provisioning import provision_engineer
from tests.factories import make_approval, make_offer, make_order
from tests.support.engineers import add_engineers
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import sap_server  # noqa: F401
from tests.support.erp_servers.harness import drainer, erp_overrides


def test_order_through_worker_outbox_and_sap(build_services: Callable[..., Services],
                                            sap_server: Any) -> None:  # noqa: F811
    # The worker enqueues for the configured ERP.
    services = build_services(**erp_overrides("sap", sap_server))
    settings = services.settings
    load_master_data(services)
    add_engineers(services.sessions, ["asha"])
    db = provision_engineer(services.store, services.sessions, settings.db_prefix, "asha")
    offer = make_offer("asha", "C-1001", lines=[("P-100", 2, "185000.00", "5", "18")],
                       status="approved")
    approval = make_approval(offer)
    order = make_order(offer, approval)
    services.store.bulk_docs(db, [offer, approval, order])
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()

    receipt = services.store.get_doc(db, "receipt:" + order["_id"])
    assert receipt["status"] == "accepted"
    assert receipt["erp"] == {"status": "queued", "number": None, "reason": ""}

    report = drainer(services, settings, FakeClock()).run_until_idle()
    assert report.accepted == 1
    (sent,) = sap_server.orders.values()
    assert sent["SoldToParty"] and len(sent["to_Item"]) == 1
    receipt = services.store.get_doc(db, "receipt:" + order["_id"])
    assert receipt["erp"]["status"] == "accepted" and receipt["erp"]["number"]
    number = receipt["erp"]["number"]

    # The phone edits the order's notes: the worker rewrites the receipt and keeps the ERP part.
    edited = {**services.store.get_doc(db, order["_id"]), "notes": "Deliver to gate 2"}
    services.store.bulk_docs(db, [edited])
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    receipt = services.store.get_doc(db, "receipt:" + order["_id"])
    assert receipt["doc_rev"] == services.store.get_doc(db, order["_id"])["_rev"]
    assert receipt["erp"]["number"] == number
    assert drainer(services, settings, FakeClock()).run_until_idle().accepted == 0
    assert len(sap_server.orders) == 1

    rebuild_projection(services)  # the SQL row keeps what the bridge knows
    with services.sessions() as s:
        row = s.scalar(select(Order).where(Order.doc_id == order["_id"]))
        assert row is not None and (row.erp_status, row.erp_number) == ("accepted", number)
