"""Sample documents of every phone-written type (schema_version 2), for the projection tests."""

from __future__ import annotations

import copy
from typing import Any

Doc = dict[str, Any]

OWNER = "asha"
LOC = {"lat": 12.9716, "lon": 77.5946, "accuracy_m": 8.5, "at": "2026-11-29T10:15:00+05:30",
       "mock": False}


def _common(doc_id: str, rev: str = "1-a1") -> Doc:
    return {"_id": doc_id, "_rev": rev, "type": doc_id.partition(":")[0], "owner": OWNER,
            "schema_version": 2, "device_id": "phone-1",
            "created_at": "2026-11-29T10:00:00+05:30", "updated_at": "2026-11-29T10:15:00+05:30",
            "loc": dict(LOC)}


def offer(doc_id: str = "offer:o1", rev: str = "1-a1", **extra: Any) -> Doc:
    doc = _common(doc_id, rev) | {
        "customer_id": "C1", "valid_until": "2026-12-31", "status": "presented",
        "supply": "intra",
        "lines": [
            {"product_id": "P1", "quantity": 2, "unit_price": "500.00", "discount_pct": "10",
             "gst_rate": "18", "taxable": "900.00", "cgst": "81.00", "sgst": "81.00",
             "igst": "0.00", "total": "1062.00"},
            {"product_id": "P2", "quantity": 1.5, "unit_price": "200.00", "discount_pct": "0",
             "gst_rate": "12", "taxable": "300.00", "cgst": "18.00", "sgst": "18.00",
             "igst": "0.00", "total": "336.00"},
        ],
        "totals": {"taxable": "1200.00", "discount": "100.00", "cgst": "99.00",
                   "sgst": "99.00", "igst": "0.00", "gst": "198.00", "grand_total": "1398.00"},
    }
    return doc | extra


def approval(offer_doc: Doc, offer_hash: str, doc_id: str = "approval:a1") -> Doc:
    return _common(doc_id) | {
        "offer_id": offer_doc["_id"], "offer_hash": offer_hash, "signed_by": "R. Kumar",
        "signed_at": "2026-11-29T10:20:00+05:30", "signature": "signature.png",
    }


def order(offer_doc: Doc, doc_id: str = "order:r1", rev: str = "1-b1") -> Doc:
    doc = _common(doc_id, rev) | {
        "offer_id": offer_doc["_id"], "approval_id": "approval:a1", "po_number": "PO-77",
        "delivery_date": "2026-12-15",
    }
    for key in ("customer_id", "supply", "lines", "totals"):
        doc[key] = copy.deepcopy(offer_doc[key])
    return doc


def lead(doc_id: str = "lead:l1", rev: str = "1-c1", stage: str = "po") -> Doc:
    history: list[dict[str, Any]] = [
        {"stage": "potential", "at": "2026-11-01T09:00:00+05:30", "by": OWNER},
        {"stage": "proposal", "at": "2026-11-10T09:00:00+05:30", "by": OWNER, "loc": dict(LOC)},
        {"stage": "po", "at": "2026-11-20T09:00:00+05:30", "by": OWNER},
    ]
    return _common(doc_id, rev) | {
        "prospect": {"name": "Sri Lakshmi Mills", "phone": "+91 98450 00000", "city": "Mysuru"},
        "title": "Boiler retrofit", "expected_value": "250000.00", "stage": stage,
        "details": {"proposal": {"value": "240000.00"},
                    "po": {"number": "PO-9", "date": "2026-11-20", "amount": "238000.00"}},
        "history": [h for h in history if stage == "po" or h["stage"] != "po"],
    }


def visit(doc_id: str = "visit:v1") -> Doc:
    return _common(doc_id) | {
        "customer_id": "C1", "purpose": "Demo",
        "check_in": {"at": "2026-11-29T11:00:00+05:30", "loc": dict(LOC)},
        "check_out": {"at": "2026-11-29T11:45:00+05:30",
                      "loc": {"lat": 12.9717, "lon": 77.5947, "accuracy_m": 6,
                              "at": "2026-11-29T11:45:00+05:30", "mock": False}},
        "outcome": "Asked for a quote", "next_action": "Send offer",
        "next_action_date": "2026-12-02",
    }


def expense(doc_id: str = "expense:e1", rev: str = "1-d1") -> Doc:
    return _common(doc_id, rev) | {
        "date": "2026-11-29", "from_place": "Bengaluru", "to_place": "Mysuru", "mode": "car",
        "km": 146.5, "amount": "1758.00", "purpose": "Customer visit",
        "_attachments": {"receipt.jpg": {"content_type": "image/jpeg", "stub": True,
                                         "digest": "md5-x", "length": 10}},
    }


def todo(doc_id: str = "todo:t1") -> Doc:
    doc = _common(doc_id) | {"title": "Call back", "due_date": "2026-12-01", "done": False,
                             "customer_id": "C1", "notes": "after 4 pm"}
    del doc["loc"]
    return doc


def track(doc_id: str = "track:k1", points: list[Any] | None = None) -> Doc:
    doc = _common(doc_id)
    del doc["loc"]
    doc["points"] = points if points is not None else [
        {"lat": 12.97, "lon": 77.59, "accuracy_m": 5, "at": "2026-11-29T10:00:00+05:30",
         "speed_mps": 3.2, "mock": False},
        {"lat": 12.98, "lon": 77.60, "accuracy_m": 7, "at": "2026-11-29T10:01:00+05:30",
         "mock": True},
    ]
    return doc


def every_type() -> list[Doc]:
    """One document of each type; the approval signs nothing (the hash is not computed here)."""
    first = offer()
    return [first, approval(first, "sha256:00"), order(first), lead(), visit(), expense(),
            todo(), track()]
