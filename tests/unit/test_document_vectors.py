"""The shared example documents (tests/vectors/documents.json) against the server's validators.

The phone runs the same file against its Ajv-compiled schema and rules
(phone-data/test/contract.test.js): both must name the same fields with the same message keys.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sync.documents.catalogue import MESSAGES
from sync.documents.facts import CustomerFacts, DictMasterData, ProductFacts
from sync.documents.pricelists import PriceListFacts
from sync.documents.validate import check_structure, validate

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "documents.json")
                     .read_text(encoding="utf-8"))


def master_data(facts: dict[str, Any]) -> DictMasterData:
    customers = [CustomerFacts(c["customer_id"], c["active"], c["state_code"], c["territory"],
                               group=c.get("customer_group")) for c in facts["customers"]]
    products = [ProductFacts(p["product_id"], p["active"], Decimal(p["gst_rate"]))
                for p in facts["products"]]
    data = DictMasterData.of(facts["company_state"], customers, products)
    data.lists = [PriceListFacts(
        pl["price_list_id"], date.fromisoformat(pl["valid_from"]),
        date.fromisoformat(pl["valid_to"]) if pl["valid_to"] else None, pl["active"],
        pl["customer_id"], pl["customer_group"], pl["territory"],
        {k: Decimal(v) for k, v in pl["prices"].items()}) for pl in facts["price_lists"]]
    return data


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_the_server_gives_each_vector_its_fields_and_message_keys(case: dict[str, Any]) -> None:
    doc = case["doc"]
    if case["scope"] == "structure":
        verdict = check_structure(doc, owner="asha")
    else:
        verdict = validate(doc, owner="asha", facts=master_data(VECTORS["facts"]))
    found = sorted((p.field, p.key) for p in verdict.problems)
    assert found == sorted((p["field"], p["key"]) for p in case["problems"]), verdict.reason
    assert verdict.ok == (not case["problems"])


def test_every_expected_key_is_in_the_catalogue_with_words_for_people() -> None:
    keys = {p["key"] for case in VECTORS["cases"] for p in case["problems"]}
    assert keys <= set(MESSAGES)
    assert len(keys) >= 40


def test_every_document_type_has_valid_and_invalid_vectors() -> None:
    kinds: dict[str, set[bool]] = {}
    for case in VECTORS["cases"]:
        kinds.setdefault(case["doc"]["_id"].split(":")[0], set()).add(not case["problems"])
    assert set(kinds) == {"offer", "approval", "order", "lead", "visit", "expense", "todo",
                          "track"}
    assert all(seen == {True, False} for seen in kinds.values()), kinds
