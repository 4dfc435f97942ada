"""The document contract: JSON Schemas generated from the server's field specs, the message
catalogue, and what receipts and gateway refusals carry (pure, no fixtures)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sync.documents.catalogue import MESSAGES, as_entry, field_label, for_people
from sync.documents.contract import FIELDS, all_schemas, document_schema, rule_table
from sync.documents.errors import Problem
from sync.documents.export import PHONE_CONTRACT, contract_json
from sync.documents.schema import PHONE_TYPES
from sync.documents.validate import check_structure
from sync.gateway.web import structure_check
from sync.gateway.writes import screen

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-11-29T10:15:00+05:30"


def todo(**fields: Any) -> dict[str, Any]:
    return {"_id": "todo:1", "type": "todo", "owner": "asha", "schema_version": 2,
            "device_id": "web-1", "created_at": AT, "updated_at": AT, "title": "Call",
            "done": False, **fields}


def test_the_contract_shipped_with_the_phones_is_what_the_generator_writes_now() -> None:
    shipped = (ROOT / PHONE_CONTRACT).read_text(encoding="utf-8")
    assert shipped == contract_json(), "run `make contract` and commit phone-data/src/"


def test_every_phone_type_has_a_schema_with_its_required_fields() -> None:
    schemas = all_schemas()
    assert set(schemas) == PHONE_TYPES  # every type a phone may push, cancellations included
    assert set(document_schema("todo")["required"]) == {
        "_id", "type", "owner", "schema_version", "device_id", "created_at", "updated_at",
        "title", "done"}
    # An approval's fix is required unless the phone gives the reason it has none (`no_fix`).
    approval = document_schema("approval")
    assert "loc" not in approval["required"]
    assert approval["else"] == {"required": ["loc"], "properties": {"loc": {"type": "object"}}}
    assert approval["if"]["required"] == ["no_fix"]
    check_in = document_schema("visit")["properties"]["check_in"]
    assert check_in["else"]["required"] == ["loc"] and "no_fix" in check_in["properties"]
    assert document_schema("offer")["properties"]["loc"]["type"] == ["object", "null"]


def test_the_limits_in_the_schema_are_the_validators_limits() -> None:
    line = document_schema("offer")["properties"]["lines"]["items"]["properties"]
    assert line["quantity"]["exclusiveMinimum"] == 0
    assert line["quantity"]["maximum"] == 1_000_000
    assert line["quantity"]["multipleOf"] == 0.001
    expense = document_schema("expense")["properties"]
    assert (expense["km"]["minimum"], expense["km"]["maximum"]) == (0, 100_000)
    assert expense["mode"]["enum"][:2] == ["bike", "car"]
    assert document_schema("todo")["properties"]["title"]["maxLength"] == 200
    assert document_schema("todo")["properties"]["notes"]["maxLength"] == 4000


def test_the_percent_and_money_patterns_agree_with_the_server() -> None:
    pct = document_schema("offer")["properties"]["lines"]["items"]["properties"]["discount_pct"]
    over = re.compile(pct["not"]["pattern"])
    fits = re.compile(pct["pattern"])
    for value, too_large in [("100", False), ("100.0000", False), ("99.9999", False),
                             ("100.0001", True), ("101", True), ("250", True), ("999.5", True),
                             ("050", False), ("0", False)]:
        assert fits.search(value), value
        assert bool(over.search(value)) is too_large, value
    money = document_schema("expense")["properties"]["amount"]
    assert re.search(money["pattern"], "640.00") and not re.search(money["pattern"], "640")


def test_every_rule_a_schema_error_maps_to_has_words_in_the_catalogue() -> None:
    missing = [f"{path}.{rule}" for path, rules in rule_table().items()
               for rule in rules.values() if f"{path}.{rule}" not in MESSAGES]
    assert missing == []


def test_the_catalogue_speaks_to_people() -> None:
    assert MESSAGES["lines.quantity.too_small"].text == "Quantity must be more than 0"
    assert MESSAGES["lines.discount_pct.too_large"].text == "Discount can be at most 100 %"
    assert MESSAGES["km.too_small"].text == "Distance cannot be less than 0 km"
    assert MESSAGES["title.too_long"].text == "Title can be at most 200 characters"
    assert MESSAGES["lines.quantity.too_small"].field == "lines.quantity"
    for key, message in MESSAGES.items():
        assert not re.search(r"[a-z]+_[a-z]+|[\[\]^\\{}]", message.text), key
        assert message.text[:1].isupper(), key


def test_every_field_of_every_type_can_be_refused_with_a_catalogued_message() -> None:
    for kind, specs in FIELDS.items():
        for name, spec in specs.items():
            if spec.required:
                assert f"{name}.required" in MESSAGES, (kind, name)


def test_a_problem_carries_its_key_field_and_text_next_to_the_old_message() -> None:
    verdict = check_structure(todo(title="x" * 3000), owner="asha")
    assert [p.key for p in verdict.problems] == ["title.too_long"]
    entry = as_entry(verdict.problems[0])
    assert entry == {"field": "title", "key": "title.too_long",
                     "message": "title has 3000 characters; at most 200 fit",
                     "text": "Title can be at most 200 characters"}
    assert as_entry(Problem("x", "an old rule"))["text"] == "an old rule"


def test_a_gateway_refusal_names_the_field_and_the_message_key() -> None:
    out = screen([todo(title=" "), todo(_id="todo:2")], owner="asha", measure_size=True,
                 check=structure_check())
    assert [d["_id"] for d in out.accepted] == ["todo:2"]
    refused = out.refused[0]
    assert refused["reason"] == "title must not be empty"  # older phones read this
    assert refused["errors"] == [{"field": "title", "key": "title.blank",
                                  "message": "title must not be empty",
                                  "text": "Title cannot be empty"}]


def test_a_recorded_gateway_refusal_keeps_the_problems_for_the_office() -> None:
    from sync.refusals import refusals_of

    doc = todo(title=" ")
    out = screen([doc], owner="asha", measure_size=True, check=structure_check())
    [recorded] = refusals_of([doc], out.refused)
    assert [(e["field"], e["key"], e["text"]) for e in recorded.errors] == [
        ("title", "title.blank", "Title cannot be empty")]
    assert refusals_of([doc], [{"id": "todo:1", "reason": "old"}])[0].errors == []


def test_a_problem_path_reads_as_the_contracts_labels() -> None:
    assert field_label("offer", "lines[1].unit_price") == "Lines, product 2: Price"
    assert field_label("offer", "totals.grand_total") == "Totals: Grand total"
    assert field_label("todo", "device_id") == "Device"
    assert field_label("offer", "nothing.here") == "" and field_label("offer", "") == ""
    old = for_people("visit", [{"field": "purpose", "message": "purpose is required"}])
    assert old == [{"field": "purpose", "label": "Purpose", "text": "purpose is required",
                    "key": "", "detail": "purpose is required"}]
