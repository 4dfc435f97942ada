"""The read-only list of rejected documents the console shows: scope, filters, errors."""

from __future__ import annotations

from typing import Any

from server.bootstrap import Services
from tests.factories import make_offer, make_todo
from tests.support.api import api_client, assert_error, phone_writes, seed


def bad_offer(owner: str) -> dict[str, Any]:
    offer = make_offer(owner)
    return {**offer, "totals": {**offer["totals"], "grand_total": "1.00"}}


def test_rejections_are_listed_with_reasons_and_scoped_by_role(services: Services) -> None:
    seed(services)
    client = api_client(services)
    asha_bad, bob_bad = bad_offer("asha"), bad_offer("bob")
    phone_writes(services, "asha", asha_bad, make_todo("asha"))
    phone_writes(services, "bob", bob_bad)

    everyone = client.get("/api/v1/rejections", "adam")
    assert everyone.status_code == 200, everyone.data
    assert everyone.json["total"] == 2
    assert {r["doc_id"] for r in everyone.json["items"]} == {asha_bad["_id"], bob_bad["_id"]}

    south = client.get("/api/v1/rejections", "hema").json
    assert [r["doc_id"] for r in south["items"]] == [asha_bad["_id"]]
    row = south["items"][0]
    assert row["owner"] == "asha" and row["doc_type"] == "offer"
    assert "grand_total" in row["reason"] and row["errors"][0]["field"] == "totals.grand_total"
    assert row["body"]["totals"]["grand_total"] == "1.00"
    assert client.get("/api/v1/rejections?owner=bob", "hema").json["total"] == 0


def test_rejections_filter_sort_and_refuse_bad_requests(services: Services) -> None:
    seed(services)
    client = api_client(services)
    phone_writes(services, "asha", bad_offer("asha"), bad_offer("asha"))
    by_type = client.get("/api/v1/rejections?doc_type=todo", "adam").json
    assert by_type["total"] == 0
    paged = client.get("/api/v1/rejections?page_size=1&sort=owner", "adam").json
    assert paged["total"] == 2 and len(paged["items"]) == 1

    refused = assert_error(client.get("/api/v1/rejections?sort=body", "adam"), 422)
    assert "sort by one of: rejected_at, owner, doc_type" in str(refused["errors"])
    assert_error(client.get("/api/v1/rejections", "asha"), 403)
    assert_error(client.get("/api/v1/rejections"), 401)


def test_rejections_carry_the_peoples_text_with_the_field_label(services: Services) -> None:
    """The office reads what the engineer reads (the catalogue's text and the field's label);
    the developer's reason stays available as the detail."""
    seed(services)
    client = api_client(services)
    offer = make_offer("asha")
    offer["lines"][0]["quantity"] = 0
    phone_writes(services, "asha", offer)
    row = client.get("/api/v1/rejections", "hema").json["items"][0]
    problems = {p["field"]: p for p in row["problems"]}
    quantity = problems["lines[0].quantity"]
    assert quantity["label"] == "Lines, product 1: Quantity"
    assert quantity["text"] == "Quantity must be more than 0"
    assert quantity["key"] == "lines.quantity.too_small"
    assert quantity["detail"] and quantity["detail"] != quantity["text"]
    assert quantity["detail"] in row["reason"]
