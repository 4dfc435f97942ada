"""Revisions and cancellations survive `fieldsync rebuild`: the projection equals the live one,
and an approved cancellation stays approved even after its request document is deleted."""

from __future__ import annotations

from functools import partial
from typing import Any

from erp_bridge.adapters.null import NullErp
from erp_bridge.cancellations import CancellationSender
from server.accounts.roles import Principal, Role
from server.audit.recorder import record
from server.bootstrap import Services
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sales.cancellations import Cancellations, cancellation_views, enqueue_cancellations
from server.sales.service import HeadActions
from sync.dirty import DirtySet
from sync.provisioning import provision_engineer
from tests.factories import make_approval, make_cancellation, make_offer, make_order, make_revision
from tests.support.engineers import add_engineers
from tests.support.projection import projection_snapshot

ADMIN = Principal(100, "root", Role.ADMIN)
LINES = [("P-100", 2, "185000.00", "5", "18")]


def push(services: Services, db: str, docs: list[dict[str, Any]]) -> None:
    for doc, result in zip(docs, services.store.bulk_docs(db, docs), strict=True):
        assert "rev" in result, result
        doc["_rev"] = result["rev"]
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()


def test_revisions_and_cancellations_rebuild_to_the_live_projection(services: Services) -> None:
    load_master_data(services)
    add_engineers(services.sessions, ["asha"])
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix, "asha")
    offer = make_offer("asha", "C-1001", LINES, status="approved")
    approval = make_approval(offer)
    order = make_order(offer, approval)
    push(services, db, [offer, approval, order])
    revision = make_revision(offer, [("P-100", 3, "185000.00", "5", "18")])
    request = make_cancellation(order)
    push(services, db, [revision, request])

    actions = Cancellations(HeadActions(services.store, services.sessions))
    assert actions.decide(ADMIN, order["_id"], "approved").status == "cancelled"
    assert enqueue_cancellations(services.sessions) == 0  # queued once, with the decision
    # Without an ERP the order was never sent: the cancellation needs nothing there.
    sender = CancellationSender(services.sessions, NullErp(), services.settings, audit=record,
                                enqueue_approved=partial(enqueue_cancellations, services.sessions))
    assert (sender.send_due(), sender.send_due()) == (1, 0)
    push(services, db, [{"_id": request["_id"], "_rev": request["_rev"], "_deleted": True}])
    with services.sessions() as s:
        live_views = cancellation_views(s, [order["_id"]])
    assert live_views[order["_id"]].status == "cancelled"
    assert live_views[order["_id"]].reason == "Customer postponed the project"
    assert live_views[order["_id"]].erp_status == "not_needed"
    live = projection_snapshot(services)
    assert live["order_cancellations"] == []  # the request was withdrawn after the decision
    revised = [row for row in live["offers"] if revision["_id"] in row]
    assert revised and offer["_id"] in revised[0]

    rebuild_projection(services)
    assert projection_snapshot(services) == live
    with services.sessions() as s:
        assert cancellation_views(s, [order["_id"]]) == live_views
