"""check_structure: every refusal names the field and says what is wrong."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sync.documents.size import MAX_DOCUMENT_BYTES, document_size
from sync.documents.validate import Verdict, check_structure
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_track,
    make_visit,
)

OWNER = "asha"


def check(doc: dict[str, Any], **kwargs: Any) -> Verdict:
    return check_structure(doc, owner=OWNER, **kwargs)


def refused(doc: dict[str, Any], field: str, *words: str, **kwargs: Any) -> Verdict:
    """Assert the document is refused with a problem on `field` that says `words`."""
    verdict = check(doc, **kwargs)
    assert not verdict.ok, "expected a refusal"
    messages = [p.message for p in verdict.problems if p.field == field]
    assert messages, f"no problem on {field!r}: {verdict.problems}"
    assert any(all(w in m for w in words) for m in messages), messages
    return verdict


def every_valid_document() -> list[dict[str, Any]]:
    offer = make_offer()
    approval = make_approval(offer)
    return [offer, approval, make_order(offer, approval), make_lead(),
            make_lead(stage="installation"), make_lead(stage="lost"),
            make_lead(customer_id=None), make_visit(), make_visit(checked_out=False),
            make_visit(customer_id=None, lead_id="lead:01J9ZK"), make_expense(), make_todo(),
            make_track([(12.97, 77.59), (12.98, 77.6)]),
            make_offer(lines=[("P-1", 0.125, "99.99", "7.5", "12")] * 200, supply="inter")]


@pytest.mark.parametrize("doc", every_valid_document(), ids=lambda d: d["_id"].split(":")[0])
def test_valid_documents_pass(doc: dict[str, Any]) -> None:
    verdict = check(doc)
    assert verdict.ok, verdict.reason
    assert verdict.reason == "accepted"
    assert verdict.doc["schema_version"] == 2


def test_the_reason_is_one_sentence_with_lines_counted_from_one() -> None:
    doc = make_offer()
    doc["lines"][1]["quantity"] = 0
    doc["totals"]["grand_total"] = "1180.00"
    verdict = check(doc)
    assert [p.field for p in verdict.problems] == ["lines[1].quantity", "totals.grand_total"]
    assert verdict.reason == (
        "Line 2: quantity must be greater than 0, not 0; "
        "totals: grand_total is 1180.00 but the lines add up to 1350.10")


def test_long_reasons_are_cut_with_a_count() -> None:
    doc = make_offer(lines=[("P-1", 1, "10.00", "0", "18")] * 8)
    for line in doc["lines"]:
        line["quantity"] = "1"
    reason = check(doc).reason
    assert reason.endswith("and 3 more problems")
    assert reason.count("quantity must be a number") == 5


# Shapes -----------------------------------------------------------------------------------

def test_a_list_where_an_object_belongs() -> None:
    doc = make_offer()
    doc["totals"] = [doc["totals"]]
    refused(doc, "totals", "must be an object, not a list")


def test_an_object_where_a_list_belongs() -> None:
    doc = make_offer()
    doc["lines"] = doc["lines"][0]
    refused(doc, "lines", "must be a list, not an object")


def test_a_line_that_is_not_an_object() -> None:
    doc = make_offer()
    doc["lines"][0] = ["P-100", 2]
    refused(doc, "lines[0]", "line 1 must be an object, not a list")


def test_loc_as_a_list() -> None:
    doc = make_visit()
    doc["check_in"]["loc"] = [12.9, 77.5]
    refused(doc, "check_in.loc", "must be an object, not a list")


def test_a_document_that_is_not_an_object() -> None:
    verdict = check_structure([1, 2], owner=OWNER)  # type: ignore[arg-type]
    assert not verdict.ok
    assert "must be a JSON object, not a list" in verdict.reason


# Identity, type, owner, version ---------------------------------------------------------------

def test_unknown_type() -> None:
    doc = make_todo()
    doc["type"] = "invoice"
    refused(doc, "type", '"invoice" is unknown', "offer")


def test_missing_type() -> None:
    doc = make_todo()
    del doc["type"]
    refused(doc, "type", "type is missing")


@pytest.mark.parametrize("kind", ["receipt", "decision"])
def test_server_types_are_refused(kind: str) -> None:
    doc = make_todo(_id=f"{kind}:todo:1", type=kind)
    verdict = refused(doc, "_id", "written by the server only")
    assert "phones may not" in verdict.reason


def test_server_type_with_a_phone_id_is_refused() -> None:
    refused(make_todo(type="receipt"), "type", "written by the server only")


def test_design_documents_are_refused() -> None:
    refused({"_id": "_design/fieldsync", "views": {}}, "_id", "design documents")


def test_id_prefix_must_match_type() -> None:
    doc = make_todo()
    doc["_id"] = "visit:01J9"
    refused(doc, "_id", '_id must be "todo:"', '"visit:01J9"')


@pytest.mark.parametrize("doc_id", ["todo:", "todo:has space", "todo:" + "x" * 65, "todo"])
def test_id_key_form(doc_id: str) -> None:
    refused(make_todo(_id=doc_id), "_id", "1-64 letters")


def test_missing_owner() -> None:
    doc = make_todo()
    del doc["owner"]
    refused(doc, "owner", "owner is missing", '"asha"')


def test_owner_other_than_the_databases_engineer() -> None:
    refused(make_todo(owner="ravi"), "owner", '"ravi"', 'belongs to "asha"')


def test_schema_version_from_the_future() -> None:
    verdict = refused(make_todo(schema_version=3), "schema_version", "newer app version")
    assert verdict.reason == (
        "Written by a newer app version (schema 3); this server understands up to 2")


@pytest.mark.parametrize("version", ["2", 0, True, 1.5])
def test_schema_version_that_is_not_a_version(version: Any) -> None:
    refused(make_todo(schema_version=version), "schema_version", "whole number from 1 to 2")


def test_deleted_documents_are_structurally_fine() -> None:
    verdict = check({"_id": "offer:01J9", "_rev": "2-abc", "_deleted": True})
    assert verdict.ok, verdict.reason


def test_deleting_a_receipt_is_refused() -> None:
    refused({"_id": "receipt:offer:1", "_rev": "2-abc", "_deleted": True}, "_id", "server only")


# Size -----------------------------------------------------------------------------------------

def test_a_document_over_one_megabyte() -> None:
    doc = make_todo(notes="n" * 1_048_576)
    verdict = refused(doc, "", "at most 1,048,576")
    assert "bytes" in verdict.reason


def test_size_counts_utf8_bytes() -> None:
    doc = make_todo(memo="\u0928" * 350_000)  # 3 bytes each in UTF-8
    refused(doc, "", "at most 1,048,576")
    assert check(make_todo(memo="\u0928" * 300_000)).ok


def test_attachments_do_not_count_toward_the_size() -> None:
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 1_500_000).decode()
    doc = make_expense(_attachments={"receipt.jpg": {"content_type": "image/jpeg",
                                                      "data": jpeg}})
    assert check(doc).ok


def test_revision_bookkeeping_does_not_count_toward_the_size() -> None:
    doc = make_todo(memo="")
    doc["memo"] = "n" * (MAX_DOCUMENT_BYTES - document_size(doc))  # exactly at the limit
    history = {"start": 1000, "ids": [f"{i:032x}" for i in range(1000)]}
    assert check({**doc, "_rev": "1000-" + "a" * 32, "_revisions": history,
                  "_conflicts": ["999-" + "b" * 32]}).ok
    refused(dict(doc, memo=doc["memo"] + "n"), "", "at most 1,048,576")


def test_skipping_the_measure_skips_only_the_size() -> None:
    assert check(make_todo(memo="n" * 1_100_000), measure_size=False).ok
    refused(make_todo(owner="bob", memo="n" * 1_100_000), "owner", measure_size=False)


# Types and values -------------------------------------------------------------------------------

def test_string_quantity() -> None:
    doc = make_offer()
    doc["lines"][0]["quantity"] = "2"
    refused(doc, "lines[0].quantity", 'must be a number, not text ("2")')


@pytest.mark.parametrize("quantity", [0, -1, -0.5])
def test_zero_or_negative_quantity(quantity: float) -> None:
    doc = make_offer()
    doc["lines"][0]["quantity"] = quantity
    refused(doc, "lines[0].quantity", "must be greater than 0")


def test_boolean_quantity() -> None:
    doc = make_offer()
    doc["lines"][0]["quantity"] = True
    refused(doc, "lines[0].quantity", "must be a number, not true")


def test_quantity_with_too_many_places() -> None:
    doc = make_offer()
    doc["lines"][0]["quantity"] = 1.2345
    refused(doc, "lines[0].quantity", "at most 3 decimal places")


def test_float_money() -> None:
    doc = make_offer()
    doc["lines"][0]["unit_price"] = 500.0
    refused(doc, "lines[0].unit_price", "must be a string with two decimal places",
            "not a number (500.0)")


def test_money_with_three_places() -> None:
    refused(make_expense(amount="350.005"), "amount", "exactly two decimal places")


def test_negative_money() -> None:
    refused(make_expense(amount="-350.00"), "amount", "must not be negative")


@pytest.mark.parametrize(("value", "words"), [
    (18, 'decimal string like "18"'), ("eighteen", 'decimal string like "18"'),
    ("101", "at most 100"), ("-5", 'decimal string'),
])
def test_bad_percentages(value: Any, words: str) -> None:
    doc = make_offer()
    doc["lines"][0]["discount_pct"] = value
    refused(doc, "lines[0].discount_pct", words)


def test_status_outside_the_vocabulary() -> None:
    refused(make_offer(status="signed"), "status", "must be one of draft, presented")


def test_too_many_lines() -> None:
    refused(make_offer(lines=[("P-1", 1, "1.00", "0", "0")] * 201), "lines", "at most 200")


def test_no_lines() -> None:
    refused(make_offer(lines=[]), "lines", "at least 1 entry")


def test_location_out_of_range() -> None:
    doc = make_todo()
    doc["loc"]["lat"] = 91
    verdict = refused(doc, "loc.lat", "at most 90")
    assert verdict.reason.startswith("loc: lat must be at most 90")


def test_mock_flag_must_be_boolean() -> None:
    doc = make_todo()
    doc["loc"]["mock"] = "no"
    refused(doc, "loc.mock", "true or false")


def test_approval_needs_a_location() -> None:
    approval = make_approval(make_offer())
    del approval["loc"]
    refused(approval, "loc", "loc is missing")


def test_an_approval_without_a_fix_is_accepted_with_its_reason() -> None:
    approval = make_approval(make_offer())
    del approval["loc"]
    approval["no_fix"] = "no fix after 10 s"
    assert check(approval).ok
    approval["no_fix"] = "x" * 201
    refused(approval, "no_fix", "at most 200")


def test_a_check_in_without_a_fix_is_accepted_with_its_reason() -> None:
    visit = make_visit()
    visit["check_in"] = {"at": visit["check_in"]["at"], "no_fix": "location permission denied"}
    visit["check_out"] = {"at": visit["check_out"]["at"], "no_fix": "no fix after 10 s"}
    assert check(visit).ok
    del visit["check_in"]["no_fix"]
    refused(visit, "check_in.loc", "loc is missing")


def test_approval_hash_form() -> None:
    refused(make_approval(make_offer(), offer_hash="md5:abc"), "offer_hash", "sha256:")


def test_approval_signature_must_be_attached_when_attachments_are_sent() -> None:
    approval = make_approval(make_offer(), _attachments={"photo.png": {"stub": True}})
    refused(approval, "signature", '"signature.png"', "attach")


def test_order_refers_to_an_offer() -> None:
    offer = make_offer()
    refused(make_order(offer, make_approval(offer), offer_id="lead:01"), "offer_id",
            'like "offer:<id>"')


def test_expense_mode_and_km() -> None:
    refused(make_expense(mode="rocket"), "mode", "must be one of bike")
    refused(make_expense(km=-3), "km", "at least 0")


def test_todo_done_must_be_boolean() -> None:
    doc = make_todo()
    doc["done"] = "yes"
    refused(doc, "done", "true or false")


def test_visit_needs_a_customer_or_lead() -> None:
    refused(make_visit(customer_id=None), "customer_id", "customer_id or lead_id")


def test_visit_check_out_before_check_in() -> None:
    doc = make_visit()
    doc["check_out"]["at"] = "2026-11-29T09:00:00+05:30"
    refused(doc, "check_out.at", "before check_in.at")


def test_track_point_list_bounds() -> None:
    refused(make_track([]), "points", "at least 1")
    refused(make_track([(12.0, 77.0)] * 2001), "points", "at most 2000")


def test_bad_track_points_are_not_fatal() -> None:
    assert check(make_track([(12.0, 77.0), {"lat": "x"}, (95.0, 77.0)])).ok


# Dates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "words"), [
    ("2026-11-29T10:15:00", "has no UTC offset"),
    ("29/11/2026 10:15", "must be a date-time like"),
    ("2026-13-40T10:15:00+05:30", "is not a real date and time"),
    (1764391500, "not a number"),
])
def test_bad_date_times(value: Any, words: str) -> None:
    refused(make_todo(updated_at=value), "updated_at", words)


@pytest.mark.parametrize(("value", "words"), [
    ("2026-02-30", "not a real calendar date"), ("31-12-2026", 'like "2026-11-29"'),
    ("2026-12-31T00:00:00+05:30", 'like "2026-11-29"'),
])
def test_bad_dates(value: str, words: str) -> None:
    refused(make_offer(valid_until=value), "valid_until", words)


def test_utc_z_is_an_offset() -> None:
    assert check(make_todo(updated_at="2026-11-29T04:45:00Z")).ok


# Arithmetic -------------------------------------------------------------------------------------

def test_line_taxable_that_does_not_add_up() -> None:
    doc = make_offer()
    doc["lines"][0]["taxable"] = "990.00"
    refused(doc, "lines[0].taxable", "is 990.00", "is 1000.00")


def test_igst_on_an_intra_state_offer() -> None:
    doc = make_offer()
    doc["lines"][0]["igst"] = "180.00"
    refused(doc, "lines[0].igst", "must be 0.00 for supply within the state")


def test_supply_changed_without_recomputing() -> None:
    doc = make_offer(supply="intra")
    doc["supply"] = "inter"
    verdict = refused(doc, "lines[0].igst", "18% GST on 1000.00 is 180.00")
    assert any(p.field == "lines[0].cgst" for p in verdict.problems)


def test_totals_that_do_not_add_up() -> None:
    doc = make_offer()
    doc["totals"]["cgst"] = "95.00"
    doc["totals"]["discount"] = "0.00"
    verdict = check(doc)
    fields = {p.field for p in verdict.problems}
    assert fields == {"totals.cgst", "totals.discount"}
    assert "totals: cgst is 95.00 but the lines add up to 94.05" in verdict.reason


def test_grand_total_must_be_taxable_plus_gst() -> None:
    doc = make_order(make_offer(), make_approval(make_offer()))
    doc["totals"]["grand_total"] = "1351.10"
    refused(doc, "totals.grand_total", "1351.10", "1350.10")


def test_unknown_extra_fields_are_kept() -> None:
    verdict = check(make_todo(colour="teal"))
    assert verdict.ok
    assert verdict.doc["colour"] == "teal"
