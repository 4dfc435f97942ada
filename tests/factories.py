"""Valid FieldSync documents of every type, with totals computed by the pricing module."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sync.documents.builders import Line, priced_lines
from sync.documents.canonical import offer_hash
from sync.documents.facts import CustomerFacts, DictMasterData, ProductFacts
from sync.documents.schema import CURRENT_SCHEMA_VERSION
from sync.documents.stages import FORWARD

Doc = dict[str, Any]

OWNER = "asha"
COMPANY_STATE = "29"  # Karnataka
AT = "2026-11-29T10:15:00+05:30"
DEFAULT_LINES: list[Line] = [("P-100", 2, "500.00", "0", "18"), ("P-200", 1.5, "120.00", "10", "5")]


def new_id(kind: str) -> str:
    return f"{kind}:{uuid.uuid4().hex}"


def loc(lat: float = 12.9716, lon: float = 77.5946, at: str = AT) -> Doc:
    return {"lat": lat, "lon": lon, "accuracy_m": 8.5, "at": at, "mock": False}


def common(kind: str, owner: str, doc_id: str | None = None, at: str = AT) -> Doc:
    """The fields every phone-written document carries."""
    return {
        "_id": doc_id or new_id(kind), "type": kind, "owner": owner,
        "schema_version": CURRENT_SCHEMA_VERSION, "device_id": "android-7f3a",
        "created_at": at, "updated_at": at, "loc": loc(at=at),
    }


def make_offer(
    owner: str = OWNER, customer_id: str = "C-1", lines: Sequence[Line] | None = None,
    supply: str = "intra", *, status: str = "draft", offer_id: str | None = None,
    valid_until: str = "2026-12-31", **extra: Any,
) -> Doc:
    priced, totals = priced_lines(DEFAULT_LINES if lines is None else lines, supply)
    doc = common("offer", owner, offer_id)
    doc.update(customer_id=customer_id, valid_until=valid_until, status=status, supply=supply,
               lines=priced, totals=totals)
    return {**doc, **extra}


def make_approval(offer: Doc, *, approval_id: str | None = None, signed_by: str = "R. Kumar",
                  **extra: Any) -> Doc:
    doc = common("approval", offer["owner"], approval_id)
    doc.update(offer_id=offer["_id"], offer_hash=offer_hash(offer), signed_by=signed_by,
               signed_at=AT, signature="signature.png")
    return {**doc, **extra}


def make_order(offer: Doc, approval: Doc, *, order_id: str | None = None, **extra: Any) -> Doc:
    doc = common("order", offer["owner"], order_id)
    doc.update(offer_id=offer["_id"], approval_id=approval["_id"],
               customer_id=offer["customer_id"], supply=offer["supply"],
               lines=[dict(line) for line in offer["lines"]], totals=dict(offer["totals"]),
               po_number="PO-2026-0042", delivery_date="2026-12-15")
    return {**doc, **extra}


def make_revision(offer: Doc, lines: Sequence[Line] | None = None, **extra: Any) -> Doc:
    """A revision of `offer`: a new offer naming it, numbered after it, same quotation."""
    doc = make_offer(offer["owner"], offer["customer_id"], lines, offer["supply"],
                     status="presented", supersedes=offer["_id"],
                     revision=offer.get("revision", 0) + 1,
                     quotation_id=offer.get("quotation_id", offer["_id"]))
    return {**doc, **extra}


def make_cancellation(order: Doc, reason: str = "Customer postponed the project",
                      **extra: Any) -> Doc:
    """The engineer's request to cancel `order` (one per order: its id follows the order's)."""
    doc = common("cancellation", order["owner"], "cancellation:" + order["_id"].partition(":")[2])
    doc.update(order_id=order["_id"], reason=reason)
    return {**doc, **extra}


STAGE_DETAILS: dict[str, Doc] = {
    "proposal": {"value": "250000.00"},
    "po": {"number": "PO-7781", "date": "2026-11-20", "amount": "250000.00"},
    "advance": {"amount": "50000.00", "payment_ref": "UTR123456"},
    "order_acceptance": {"number": "OA-311", "date": "2026-11-25"},
    "installation": {"date": "2026-11-28", "notes": "Commissioned"},
}


def make_lead(owner: str = OWNER, *, stage: str = "potential", customer_id: str | None = "C-1",
              lead_id: str | None = None, lost_reason: str = "Budget cut",
              **extra: Any) -> Doc:
    """A lead moved one stage at a time from potential to `stage` (or lost after potential)."""
    path = ["potential", "lost"] if stage == "lost" else list(FORWARD[:FORWARD.index(stage) + 1])
    start = datetime.fromisoformat(AT)
    history = [{"stage": s, "at": (start + timedelta(days=i)).isoformat(), "by": owner}
               for i, s in enumerate(path)]
    doc = common("lead", owner, lead_id)
    doc.update(title="Chiller for cold store", expected_value="250000.00", stage=stage,
               details={s: dict(STAGE_DETAILS[s]) for s in path if s in STAGE_DETAILS},
               history=history)
    if customer_id is not None:
        doc["customer_id"] = customer_id
    else:
        doc["prospect"] = {"name": "Sri Lakshmi Cold Storage", "phone": "+919800000000",
                           "city": "Mysuru"}
    if stage == "lost":
        doc["lost_reason"] = lost_reason
    return {**doc, **extra}


def make_visit(owner: str = OWNER, *, customer_id: str | None = "C-1",
               lead_id: str | None = None, checked_out: bool = True, **extra: Any) -> Doc:
    doc = common("visit", owner)
    if customer_id is not None:
        doc["customer_id"] = customer_id
    if lead_id is not None:
        doc["lead_id"] = lead_id
    doc.update(purpose="Demo of the new chiller", check_in={"at": AT, "loc": loc()})
    if checked_out:
        doc.update(check_out={"at": "2026-11-29T11:05:00+05:30",
                              "loc": loc(at="2026-11-29T11:05:00+05:30")},
                   outcome="Interested; wants a quote", next_action="Send offer",
                   next_action_date="2026-12-02")
    return {**doc, **extra}


def make_expense(owner: str = OWNER, *, amount: str = "350.00", km: float = 12.5,
                 mode: str = "bike", **extra: Any) -> Doc:
    doc = common("expense", owner)
    doc.update(date="2026-11-29", from_place="Office, Indiranagar", to_place="Peenya",
               mode=mode, km=km, amount=amount, purpose="Customer visit")
    return {**doc, **extra}


def make_todo(owner: str = OWNER, *, title: str = "Call back about the quote",
              done: bool = False, **extra: Any) -> Doc:
    doc = common("todo", owner)
    doc.update(title=title, due_date="2026-12-01", done=done)
    return {**doc, **extra}


def make_track(points: Iterable[tuple[float, float] | Doc], *, owner: str = OWNER,
               **extra: Any) -> Doc:
    """A batch of GPS points, one a minute from AT; tuples are (lat, lon)."""
    start = datetime.fromisoformat(AT)
    out = []
    for i, point in enumerate(points):
        if isinstance(point, dict):
            out.append(point)
            continue
        at = (start + timedelta(minutes=i)).isoformat()
        out.append({"lat": point[0], "lon": point[1], "accuracy_m": 6.0, "at": at,
                    "speed_mps": 4.2, "mock": False})
    doc = common("track", owner)
    doc["points"] = out
    return {**doc, **extra}


def master_data(company_state: str = COMPANY_STATE) -> DictMasterData:
    """Customers and products the default documents refer to, and asha's discount limit (an
    engineer without one may give no discount without the head: discounts.NO_LIMIT_PCT)."""
    facts = DictMasterData.of(
        company_state,
        customers=[CustomerFacts("C-1", True, "29", "south"),
                   CustomerFacts("C-2", True, "27", "west"),
                   CustomerFacts("C-9", False, "29", "south")],
        products=[ProductFacts("P-100", True, Decimal("18")),
                  ProductFacts("P-200", True, Decimal("5")),
                  ProductFacts("P-300", True, Decimal("12")),
                  ProductFacts("P-400", True, Decimal("28")),
                  ProductFacts("P-500", True, Decimal("0")),
                  ProductFacts("P-OLD", False, Decimal("18"))],
    )
    facts.limits["asha"] = Decimal(10)  # the default offer's largest discount
    return facts
