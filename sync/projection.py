"""Turns one validated document (schema_version 2) into the SQL rows that represent it; pure."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sync.documents.cancellations import request_hash
from sync.documents.canonical import (
    business_key,
    expense_terms,
    offer_hash,
    quantity_decimal,
    terms_hash,
)
from sync.documents.errors import DocumentError
from sync.documents.stages import FORWARD
from sync.projection_values import (
    ProjectionError,
    day,
    get,
    location,
    moment,
    money,
    number,
    obj,
    parse_datetime,
    rate,
    text,
)

Row = dict[str, Any]
Doc = dict[str, Any]

# Phone clocks drift; a fix a few minutes "ahead" of the server is still a real fix.
FUTURE_TOLERANCE = timedelta(minutes=5)
NUMBER = (int, float)
SERVER_WRITTEN = frozenset({"receipt", "decision"})
RECEIPT_PHOTOS = frozenset({"receipt.jpg", "receipt.png"})


@dataclass(frozen=True)
class Layout:
    """Where a document type's rows live: its header table and (table, parent column) children."""

    header: str | None
    children: tuple[tuple[str, str], ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        head = (self.header,) if self.header else ()
        return head + tuple(table for table, _ in self.children)


LAYOUTS: dict[str, Layout] = {
    "offer": Layout("offers", (("offer_lines", "offer_id"),)),
    "approval": Layout("customer_approvals"),
    "order": Layout("orders", (("order_lines", "order_id"),)),
    "lead": Layout("leads", (("lead_stage_history", "lead_id"),)),
    "visit": Layout("visits"),
    "expense": Layout("expenses"),
    "todo": Layout("todos"),
    "track": Layout(None, (("gps_points", "track_id"),)),
    "cancellation": Layout("order_cancellations"),
}


@dataclass
class Projection:
    """The rows of one document, per table name, and the track points that were left out."""

    doc_id: str
    doc_type: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    dropped_points: int = 0


def doc_type_of(doc_id: str) -> str:
    """The type named by an `_id` of the form `<type>:<key>` (tombstones carry nothing else)."""
    return doc_id.partition(":")[0] if ":" in doc_id else ""


def rev_pos(rev: str) -> int:
    """The generation number of a CouchDB revision (`3-abc…` → 3); 0 when there is none."""
    head = rev.partition("-")[0]
    return int(head) if head.isdigit() else 0


def project(doc: Doc, db_name: str, now: datetime | None = None) -> Projection:
    """All rows of `doc`; raises ProjectionError with the field at fault if it cannot."""
    doc_type = doc.get("type")
    builder = _BUILDERS.get(doc_type) if isinstance(doc_type, str) else None
    if doc_type in SERVER_WRITTEN:  # their state already lives in SQL; they add no rows
        return Projection(str(text(doc, "_id")), str(doc_type))
    if builder is None:
        raise ProjectionError(f"no SQL projection for document type {doc_type!r}", "type")
    text(doc, "_id")
    try:
        return builder(doc, db_name, now or datetime.now(UTC))
    except DocumentError as exc:
        raise ProjectionError(exc.message, exc.field) from exc


# Rows per type ----------------------------------------------------------------------------


def _header(doc: Doc, db_name: str) -> Row:
    rev = str(doc.get("_rev", ""))
    return {
        "doc_id": text(doc, "_id"),
        "db_name": db_name,
        "owner": text(doc, "owner"),
        "rev": rev,
        "rev_pos": rev_pos(rev),
        "created_at": moment(doc, "created_at"),
        "updated_at": moment(doc, "updated_at"),
        **location(doc.get("loc"), "loc_", "loc"),
    }


def _totals(doc: Doc) -> Row:
    totals = get(doc, "totals", "")
    row: Row = {"supply": text(doc, "supply")}
    for key in ("taxable", "discount", "cgst", "sgst", "igst", "gst", "grand_total"):
        row[key] = money(totals, key, "totals")
    return row


def _lines(doc: Doc, parent: str) -> list[Row]:
    lines = get(doc, "lines", "")
    if not isinstance(lines, list) or not lines:
        raise ProjectionError("must be a non-empty list", "lines")
    rows = []
    for index, line in enumerate(lines):
        path = f"lines[{index}]"
        row: Row = {parent: doc["_id"], "line_no": index + 1,
                    "product_id": text(line, "product_id", path),
                    "quantity": quantity_decimal(get(line, "quantity", path)),
                    "unit_price": money(line, "unit_price", path),
                    "discount_pct": rate(line, "discount_pct", path),
                    "gst_rate": rate(line, "gst_rate", path)}
        for key in ("taxable", "cgst", "sgst", "igst", "total"):
            row[key] = money(line, key, path)
        rows.append(row)
    return rows


def _offer(doc: Doc, db_name: str, now: datetime) -> Projection:
    lines = _lines(doc, "offer_id")
    header = {
        **_header(doc, db_name), **_totals(doc),
        "customer_id": text(doc, "customer_id"),
        "status": text(doc, "status"),
        "valid_until": day(doc, "valid_until"),
        "price_list_id": text(doc, "price_list_id", required=False),
        "notes": text(doc, "notes", required=False),
        "content_hash": offer_hash(doc),
        "business_key": business_key(doc),
        "terms_hash": terms_hash(doc),
        # The worker replaces it with the effective discount, which needs the price lists.
        "max_discount_pct": max(line["discount_pct"] for line in lines),
        "in_conflict": bool(doc.get("_conflicts")),
        # Revisions: the superseded offer is found by the later one naming it.
        "supersedes": text(doc, "supersedes", required=False),
        "revision": doc.get("revision") or 0,
        "quotation_id": text(doc, "quotation_id", required=False) or doc["_id"],
    }
    return Projection(doc["_id"], "offer", {"offers": [header], "offer_lines": lines})


def _order(doc: Doc, db_name: str, now: datetime) -> Projection:
    header = {
        **_header(doc, db_name), **_totals(doc),
        "offer_id": text(doc, "offer_id"),
        "approval_id": text(doc, "approval_id"),
        "customer_id": text(doc, "customer_id"),
        "business_key": business_key(doc),
        "po_number": text(doc, "po_number", required=False),
        "delivery_date": day(doc, "delivery_date", required=False),
        "notes": text(doc, "notes", required=False),
    }
    rows = {"orders": [header], "order_lines": _lines(doc, "order_id")}
    return Projection(doc["_id"], "order", rows)


def _approval(doc: Doc, db_name: str, now: datetime) -> Projection:
    header = {
        **_header(doc, db_name),
        "offer_id": text(doc, "offer_id"),
        "offer_hash": text(doc, "offer_hash"),
        "signed_by": text(doc, "signed_by"),
        "signed_at": moment(doc, "signed_at"),
        "signature": text(doc, "signature", required=False) or "",
        "no_fix": text(doc, "no_fix", required=False),
    }
    return Projection(doc["_id"], "approval", {"customer_approvals": [header]})


def _lead_details(doc: Doc) -> Row:
    details = obj(doc, "details", required=False)
    proposal, po, advance, oa, installation = (
        obj(details, stage, "details", required=False)
        for stage in FORWARD[1:])  # every stage past the first has details
    return {
        "proposal_value": money(proposal, "value", "details.proposal", required=False),
        "po_number": text(po, "number", "details.po", required=False),
        "po_date": day(po, "date", "details.po", required=False),
        "po_amount": money(po, "amount", "details.po", required=False),
        "advance_amount": money(advance, "amount", "details.advance", required=False),
        "advance_payment_ref": text(advance, "payment_ref", "details.advance", required=False),
        "oa_number": text(oa, "number", "details.order_acceptance", required=False),
        "oa_date": day(oa, "date", "details.order_acceptance", required=False),
        "installation_date": day(installation, "date", "details.installation",
                                   required=False),
        "installation_notes": text(installation, "notes", "details.installation",
                                    required=False),
    }


def _lead(doc: Doc, db_name: str, now: datetime) -> Projection:
    prospect = obj(doc, "prospect", required=False)
    header = {
        **_header(doc, db_name), **_lead_details(doc),
        "customer_id": text(doc, "customer_id", required=False),
        "prospect_name": text(prospect, "name", "prospect", required=False),
        "prospect_phone": text(prospect, "phone", "prospect", required=False),
        "prospect_city": text(prospect, "city", "prospect", required=False),
        "title": text(doc, "title"),
        "expected_value": money(doc, "expected_value", required=False),
        "stage": text(doc, "stage"),
        "lost_reason": text(doc, "lost_reason", required=False),
    }
    history = get(doc, "history", "")
    if not isinstance(history, list):
        raise ProjectionError("must be a list", "history")
    steps = [{"lead_id": doc["_id"], "position": index,
              "stage": text(step, "stage", f"history[{index}]"),
              "at": moment(step, "at", f"history[{index}]"),
              "by": text(step, "by", f"history[{index}]"),
              **location(step.get("loc"), "loc_", f"history[{index}].loc")}
             for index, step in enumerate(history)]
    return Projection(doc["_id"], "lead", {"leads": [header], "lead_stage_history": steps})


def _visit(doc: Doc, db_name: str, now: datetime) -> Projection:
    check_in = obj(doc, "check_in")
    check_out = obj(doc, "check_out", required=False)
    in_loc = obj(check_in, "loc", "check_in", required=False)
    out_loc = obj(check_out, "loc", "check_out", required=False)
    header = {
        **_header(doc, db_name),
        "customer_id": text(doc, "customer_id", required=False),
        "lead_id": text(doc, "lead_id", required=False),
        "purpose": text(doc, "purpose", required=False) or "",
        "check_in_at": moment(check_in, "at", "check_in"),
        "check_in_lat": number(in_loc, "lat", "check_in.loc", required=False),
        "check_in_lon": number(in_loc, "lon", "check_in.loc", required=False),
        "check_in_accuracy_m": number(in_loc, "accuracy_m", "check_in.loc",
                                       required=False),
        "check_in_no_fix": text(check_in, "no_fix", "check_in", required=False),
        "check_out_at": moment(check_out, "at", "check_out", required=False),
        "check_out_lat": number(out_loc, "lat", "check_out.loc", required=False),
        "check_out_lon": number(out_loc, "lon", "check_out.loc", required=False),
        "outcome": text(doc, "outcome", required=False),
        "next_action": text(doc, "next_action", required=False),
        "next_action_date": day(doc, "next_action_date", required=False),
    }
    return Projection(doc["_id"], "visit", {"visits": [header]})


def _expense(doc: Doc, db_name: str, now: datetime) -> Projection:
    km = number(doc, "km")
    attachments = doc.get("_attachments")
    names = set(attachments) if isinstance(attachments, dict) else set()
    header = {
        **_header(doc, db_name),
        "date": day(doc, "date"),
        "from_place": text(doc, "from_place"),
        "to_place": text(doc, "to_place"),
        "mode": text(doc, "mode"),
        "km": quantity_decimal(doc["km"]) if km is not None else None,
        "amount": money(doc, "amount"),
        "purpose": text(doc, "purpose", required=False) or "",
        "has_receipt_photo": bool(names & RECEIPT_PHOTOS),
        "terms_hash": expense_terms(doc["amount"], doc["km"], doc["mode"]),
    }
    return Projection(doc["_id"], "expense", {"expenses": [header]})


def _todo(doc: Doc, db_name: str, now: datetime) -> Projection:
    header = {
        **_header(doc, db_name),
        "title": text(doc, "title"),
        "due_date": day(doc, "due_date", required=False),
        "done": bool(doc.get("done", False)),
        "customer_id": text(doc, "customer_id", required=False),
        "lead_id": text(doc, "lead_id", required=False),
        "notes": text(doc, "notes", required=False),
    }
    return Projection(doc["_id"], "todo", {"todos": [header]})


def _cancellation(doc: Doc, db_name: str, now: datetime) -> Projection:
    header = {
        **_header(doc, db_name),
        "order_id": text(doc, "order_id"),
        "reason": text(doc, "reason"),
        "terms_hash": request_hash(doc),
    }
    return Projection(doc["_id"], "cancellation", {"order_cancellations": [header]})


# Tracks -----------------------------------------------------------------------------------


def track_point(point: Any, latest: datetime) -> Row | None:
    """The row values of one GPS point, or None when it is out of range or too far ahead."""
    # Hot path (up to 2000 points a document): plain comparisons, no helpers. NaN fails every
    # range test; bools are refused by the exact type check.
    if not isinstance(point, dict):
        return None
    lat: Any = point.get("lat")
    lon: Any = point.get("lon")
    accuracy: Any = point.get("accuracy_m")
    speed: Any = point.get("speed_mps")
    if type(lat) not in NUMBER or type(lon) not in NUMBER or type(accuracy) not in NUMBER:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= accuracy < math.inf):
        return None
    if speed is not None and (type(speed) not in NUMBER or not 0 <= speed < math.inf):
        return None
    try:
        at = parse_datetime(point.get("at"))
    except ProjectionError:
        return None
    if at > latest:
        return None
    return {"lat": float(lat), "lon": float(lon), "accuracy_m": float(accuracy), "at": at,
            "speed_mps": None if speed is None else float(speed),
            "mock": bool(point.get("mock", False))}


def _track(doc: Doc, db_name: str, now: datetime) -> Projection:
    points = get(doc, "points", "")
    if not isinstance(points, list):
        raise ProjectionError("must be a list", "points")
    owner, latest = text(doc, "owner"), now + FUTURE_TOLERANCE
    seen: set[tuple[datetime, float, float]] = set()
    rows: list[Row] = []
    for position, point in enumerate(points):
        values = track_point(point, latest)
        if values is None or (values["at"], values["lat"], values["lon"]) in seen:
            continue
        seen.add((values["at"], values["lat"], values["lon"]))
        rows.append({"track_id": doc["_id"], "position": position, "db_name": db_name,
                     "owner": owner, **values})
    projection = Projection(doc["_id"], "track", {"gps_points": rows})
    projection.dropped_points = len(points) - len(rows)
    return projection


_BUILDERS: dict[str, Callable[[Doc, str, datetime], Projection]] = {
    "offer": _offer, "approval": _approval, "order": _order, "lead": _lead,
    "visit": _visit, "expense": _expense, "todo": _todo, "track": _track,
    "cancellation": _cancellation,
}
