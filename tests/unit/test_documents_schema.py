"""Schema versions, migration, canonical content, stages and track points."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sync.documents.activity import usable_points
from sync.documents.canonical import (
    business_key,
    canonical_content,
    format_quantity,
    offer_hash,
)
from sync.documents.errors import DocumentError, UnsupportedSchema
from sync.documents.facts import offer_facts
from sync.documents.schema import CURRENT_SCHEMA_VERSION, PHONE_TYPES, SERVER_TYPES, migrate
from sync.documents.stages import move_kind, move_problem
from sync.documents.validate import check_structure, validate
from tests.factories import make_offer, make_order, make_track, make_visit, master_data

KNOWN_OFFER: dict[str, Any] = {
    "customer_id": "C-1", "valid_until": "2026-12-31", "supply": "intra",
    "totals": {"grand_total": "1350.10"},
    "lines": [
        {"product_id": "P-100", "quantity": 2, "unit_price": "500.00", "discount_pct": "0",
         "gst_rate": "18"},
        {"product_id": "P-200", "quantity": 1.5, "unit_price": "120.00", "discount_pct": "10",
         "gst_rate": "5"},
    ],
}


def v1(doc: dict[str, Any]) -> dict[str, Any]:
    """The same document as a version 1 app wrote it."""
    old = {k: v for k, v in doc.items() if k not in ("loc", "schema_version")}
    old["location"] = {"latitude": 12.97, "longitude": 77.59, "accuracy": 9}
    return old


def test_type_sets() -> None:
    assert CURRENT_SCHEMA_VERSION == 2
    phone = {"offer", "approval", "order", "lead", "visit", "expense", "todo", "track",
             "cancellation"}
    assert phone == PHONE_TYPES
    assert {"receipt", "decision"} == SERVER_TYPES


def test_v1_location_becomes_v2_loc() -> None:
    old = v1(make_offer())
    new = migrate(old)
    assert new["schema_version"] == 2 and "location" not in new
    assert new["loc"] == {"lat": 12.97, "lon": 77.59, "accuracy_m": 9,
                          "at": old["updated_at"], "mock": False}
    assert "location" in old and "schema_version" not in old  # the input is left alone


def test_v1_document_is_accepted() -> None:
    verdict = validate(v1(make_offer()), owner="asha", facts=master_data())
    assert verdict.ok, verdict.reason
    assert verdict.doc["loc"]["lat"] == 12.97


def test_v1_visit_check_in_location_is_migrated() -> None:
    doc = v1(make_visit(checked_out=False))
    doc["check_in"] = {"at": "2026-11-29T10:00:00+05:30",
                       "location": {"latitude": 12.9, "longitude": 77.5, "accuracy": 20}}
    verdict = check_structure(doc, owner="asha")
    assert verdict.ok, verdict.reason
    assert verdict.doc["check_in"]["loc"]["at"] == "2026-11-29T10:00:00+05:30"


def test_v1_location_of_the_wrong_shape() -> None:
    doc = v1(make_offer())
    doc["location"] = [12.9, 77.5]
    verdict = check_structure(doc, owner="asha")
    assert [p.field for p in verdict.problems] == ["location"]
    assert "must be an object with latitude" in verdict.reason


def test_v2_documents_migrate_to_an_equal_copy() -> None:
    doc = make_offer()
    new = migrate(doc)
    assert new == doc and new is not doc


def test_future_versions_cannot_be_migrated() -> None:
    with pytest.raises(UnsupportedSchema, match=r"newer app version \(schema 7\)"):
        migrate({"schema_version": 7})


def test_canonical_content_and_known_hash() -> None:
    assert canonical_content(KNOWN_OFFER) == (
        "C-1|2026-12-31|intra|1350.10|P-100,2,500.00,0,18|P-200,1.5,120.00,10,5")
    assert offer_hash(KNOWN_OFFER) == (
        "sha256:7602c4e51669b00b975d8ac9107a8d4282afd6f4947a4f1326df774e698f5829")


def test_hash_changes_with_any_signed_value() -> None:
    changed = {**KNOWN_OFFER, "valid_until": "2027-01-31"}
    assert offer_hash(changed) != offer_hash(KNOWN_OFFER)


def test_business_key_leaves_out_validity() -> None:
    assert business_key(KNOWN_OFFER) == (
        "C-1|intra|1350.10|P-100,2,500.00,0,18|P-200,1.5,120.00,10,5")
    assert business_key({**KNOWN_OFFER, "valid_until": "2030-01-01"}) == business_key(
        KNOWN_OFFER)


def test_order_and_offer_share_the_business_key() -> None:
    offer = make_offer()
    order = make_order(offer, {"_id": "approval:1"})
    assert business_key(order) == business_key(offer)
    assert offer_facts(offer, approved=True).business_key == business_key(order)


@pytest.mark.parametrize(("quantity", "text"), [
    (2, "2"), (2.0, "2"), (2.5, "2.5"), (0.125, "0.125"), (100, "100"), (1000000, "1000000"),
    (0.1, "0.1"), (12.250, "12.25"),
])
def test_quantities_are_written_as_the_shortest_decimal(quantity: float, text: str) -> None:
    assert format_quantity(quantity) == text


def test_canonical_content_of_a_broken_offer_says_why() -> None:
    with pytest.raises(DocumentError, match="valid_until must be text"):
        canonical_content({**KNOWN_OFFER, "valid_until": None})
    with pytest.raises(DocumentError, match="quantity must be a number"):
        business_key({**KNOWN_OFFER, "lines": [{**KNOWN_OFFER["lines"][0], "quantity": "2"}]})


@pytest.mark.parametrize(("before", "after", "kind"), [
    ("potential", "potential", "same"), ("potential", "proposal", "forward"),
    ("proposal", "lost", "lost"), ("po", "proposal", "back"), ("lost", "potential", "back"),
    ("potential", "advance", "skip"), ("order_acceptance", "installation", "forward"),
])
def test_move_kinds(before: str, after: str, kind: str) -> None:
    assert move_kind(before, after) == kind


def test_move_problems() -> None:
    assert move_problem("potential", "proposal", by="asha", owner="asha") is None
    assert move_problem("po", "proposal", by="meera", owner="asha") is None
    assert "ask your sales head" in str(move_problem("po", "proposal", by="asha", owner="asha"))
    assert "skips proposal, po" in str(move_problem("potential", "advance", by="x", owner="x"))


def test_usable_points_drop_bad_future_and_repeated_points() -> None:
    good = [(12.97, 77.59), (12.98, 77.60)]
    doc = make_track([*good, (95.0, 77.0), {"lat": "x"}])
    doc["points"].append("junk")
    doc["points"].append(dict(doc["points"][0]))  # repeated
    future = dict(doc["points"][1], at="2027-01-01T00:00:00+05:30")
    doc["points"].append(future)
    kept, dropped = usable_points(doc, datetime.fromisoformat("2026-12-01T00:00:00+05:30"))
    assert [(p["lat"], p["lon"]) for p in kept] == good
    assert dropped == 5


CANONICAL = json.loads((Path(__file__).parents[1] / "vectors" / "canonical.json").read_text())


@pytest.mark.parametrize("case", CANONICAL["cases"], ids=lambda case: case["name"])
def test_canonical_vector(case: dict[str, Any]) -> None:
    offer = case["offer"]
    assert canonical_content(offer) == case["canonical_content"]
    digest = hashlib.sha256(case["canonical_content"].encode("utf-8")).hexdigest()
    assert offer_hash(offer) == case["offer_hash"] == f"sha256:{digest}"
    assert business_key(offer) == case["business_key"]
