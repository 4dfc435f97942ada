"""The archive of signed sales against the real store and SQL: what a rebuild archives and
keeps, and a deletion undone after the store compacted the accepted revision away."""

from __future__ import annotations

import base64

from sqlalchemy import delete, func, select

from server.bootstrap import Services
from server.demo import load_master_data
from server.rebuild import rebuild_projection
from server.sql.models.archive import FrozenDocument
from server.sql.models.sync_state import RejectedDocument
from sync.dirty import DirtySet
from sync.provisioning import provision_engineer
from tests.factories import make_approval, make_offer, make_order
from tests.integration.test_rebuild_equals_live import compact, push, status

SIGNATURE = base64.b64encode(b"\x89PNG the customer's signature").decode()


def sale() -> list[dict]:
    offer = make_offer("asha", "C-1001", lines=[("P-100", 2, "185000.00", "0", "18")],
                       status="approved")
    approval = make_approval(offer, _attachments={"signature.png": {
        "content_type": "image/png", "data": SIGNATURE}})
    return [offer, approval, make_order(offer, approval)]


def archived(services: Services) -> dict[str, str]:
    with services.sessions() as s:
        return {r.doc_id: r.doc_type for r in s.scalars(select(FrozenDocument))}


def test_a_rebuild_archives_sales_signed_before_the_archive_and_keeps_its_records(
        services: Services) -> None:
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    offer, approval, order = push(services, db, sale())
    assert set(archived(services).values()) == {"offer", "approval", "order"}
    push(services, db, [{"_id": order["_id"], "_rev": order["_rev"], "_deleted": True}])
    assert status(services, db, order["_id"])[0] == "accepted"  # the written-back revision
    with services.sessions.begin() as s:  # as a database from before the archive
        s.execute(delete(FrozenDocument))

    rebuild_projection(services)
    assert archived(services) == {offer["_id"]: "offer", approval["_id"]: "approval",
                                  order["_id"]: "order"}
    with services.sessions() as s:
        kept = s.scalars(select(RejectedDocument.source)).all()
        assert kept == ["frozen"]  # the undone deletion stays on record
        body = s.get(FrozenDocument, (db, approval["_id"]))
        assert body is not None
        assert body.body["_attachments"]["signature.png"]["data"] == SIGNATURE


def test_a_deleted_approval_comes_back_with_its_signature_after_compaction(
        services: Services) -> None:
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    _offer, approval, _order = push(services, db, sale())
    first_rev = approval["_rev"]
    services.store.bulk_docs(db, [{"_id": approval["_id"], "_rev": first_rev, "_deleted": True}])
    compact(services, db, approval["_id"], first_rev)  # the store no longer has the signature
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    back = services.store.get_doc(db, approval["_id"], attachments=True)
    assert back["signed_by"] == "R. Kumar" and back["_rev"].startswith("3-")
    assert back["_attachments"]["signature.png"]["data"] == SIGNATURE
    with services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(RejectedDocument)
                        .where(RejectedDocument.source == "frozen")) == 1
