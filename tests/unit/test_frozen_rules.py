"""What is frozen once a customer signs: seals and the reasons a write is refused (pure)."""

from __future__ import annotations

import base64
import hashlib

from sync.documents.frozen import Frozen, order_changes, problem, seal, signed_day
from sync.gateway.writes import Screened, screen_frozen
from tests.factories import make_approval, make_offer, make_order

OFFER = make_offer("asha", "C-1", [("P-100", 1, "68875.00", "0", "18")], status="approved")
APPROVAL = make_approval(OFFER)
ORDER = make_order(OFFER, APPROVAL)
SIGNED = "signed on 29 Nov 2026 by R. Kumar"


def frozen(doc: dict, status: str = "approved") -> Frozen:
    return Frozen(doc["_id"], doc["type"], seal(doc), "R. Kumar", APPROVAL["signed_at"], status)


def test_a_signed_offer_keeps_its_terms_but_not_its_notes() -> None:
    bigger = make_offer("asha", "C-1", [("P-100", 4, "68875.00", "0", "18")])
    changed = {**OFFER, "lines": bigger["lines"], "totals": bigger["totals"]}
    assert problem(changed, frozen(OFFER)).startswith(f"{SIGNED}: make a revision")
    assert problem({**OFFER, "valid_until": "2027-03-31"}, frozen(OFFER)) is not None
    assert problem({**OFFER, "customer_id": "C-2"}, frozen(OFFER)) is not None
    assert problem({**OFFER, "notes": "Back gate", "updated_at": "x"}, frozen(OFFER)) is None
    assert problem({**OFFER, "status": "superseded"}, frozen(OFFER)) is None
    assert "cannot go back to \"presented\"" in problem({**OFFER, "status": "presented"},
                                                        frozen(OFFER))
    # Signed while the phone still had it presented: saving it presented again is no change.
    assert problem({**OFFER, "status": "presented"}, frozen(OFFER, "presented")) is None


def test_deletions_of_frozen_documents_are_refused_with_what_to_do() -> None:
    tomb = {"_id": ORDER["_id"], "_rev": "2-a", "_deleted": True}
    assert "ask for its cancellation" in problem(tomb, frozen(ORDER))
    tomb = {"_id": APPROVAL["_id"], "_rev": "2-a", "_deleted": True}
    assert problem(tomb, frozen(APPROVAL)).startswith(
        f"the customer's approval, {SIGNED}, is archived and cannot be deleted")


def test_an_order_may_change_its_po_number_delivery_date_and_notes_only() -> None:
    free = {**ORDER, "po_number": "PO-9", "delivery_date": "2027-01-05", "notes": "Crane"}
    assert problem(free, frozen(ORDER)) is None
    assert order_changes(ORDER, free) == [("po_number", "PO-2026-0042", "PO-9"),
                                          ("delivery_date", "2026-12-15", "2027-01-05"),
                                          ("notes", None, "Crane")]
    other = make_offer("asha", "C-1", [("P-100", 2, "68875.00", "0", "18")])
    changed = {**ORDER, "lines": other["lines"], "totals": other["totals"]}
    assert "only its PO number, delivery date and notes may change" in \
        problem(changed, frozen(ORDER))
    assert problem({**ORDER, "approval_id": "approval:other"}, frozen(ORDER)) is not None


def test_an_approvals_seal_covers_its_signature_image_sent_as_data_or_stub() -> None:
    png = b"\x89PNG signature"
    data = base64.b64encode(png).decode()
    digest = "md5-" + base64.b64encode(hashlib.md5(png).digest()).decode()
    inline = {**APPROVAL, "_attachments": {"signature.png": {"content_type": "image/png",
                                                             "data": data}}}
    stub = {**APPROVAL, "_attachments": {"signature.png": {"stub": True, "digest": digest}}}
    assert seal(inline) == seal(stub) != seal(APPROVAL)
    other = {**APPROVAL, "_attachments": {"signature.png": {
        "data": base64.b64encode(b"another").decode()}}}
    assert problem(other, frozen(inline)) is not None
    assert problem({**stub, "signed_by": "Someone else"}, frozen(inline)) is not None


def test_the_gateway_moves_frozen_writes_to_the_refusals() -> None:
    bigger = make_offer("asha", "C-1", [("P-100", 4, "68875.00", "0", "18")])
    changed = {**OFFER, "lines": bigger["lines"], "totals": bigger["totals"]}
    free = {**ORDER, "po_number": "PO-9"}
    screened = Screened(accepted=[changed, free], refused=[{"id": "x", "error": "forbidden",
                                                            "reason": "r"}])
    result = screen_frozen(screened, {OFFER["_id"]: frozen(OFFER), ORDER["_id"]: frozen(ORDER)})
    assert result.accepted == [free]
    assert [r["id"] for r in result.refused] == ["x", OFFER["_id"]]
    assert screen_frozen(screened, {}) is screened


def test_the_day_signed_is_the_phones_own() -> None:
    assert signed_day("2026-11-12T23:30:00+05:30") == "12 Nov 2026"
    assert signed_day("yesterday") == "yesterday"
