"""Roles on every area and the one error shape: engineers own data, heads their team, admins all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.bootstrap import Services
from tests.factories import make_lead, make_offer
from tests.support.api import ApiClient, api_client, assert_error, phone_writes, seed
from tests.support.gateway_docs import todo


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def _docs(services: Services) -> tuple[str, str]:
    """One offer, lead and to-do each for asha (south) and bob (north)."""
    offer_a = make_offer("asha", "C-1", [("P-100", 1, "100.00", "0", "18")])
    offer_b = make_offer("bob", "C-9", [("P-100", 1, "100.00", "0", "18")], supply="inter")
    phone_writes(services, "asha", offer_a, make_lead("asha", lead_id="lead:a1"),
                 todo("asha", "a1"))
    phone_writes(services, "bob", offer_b, make_lead("bob", lead_id="lead:b1",
                                                     customer_id="C-9"), todo("bob", "b1"))
    return offer_a["_id"], offer_b["_id"]


LISTS = ["/api/v1/offers", "/api/v1/leads", "/api/v1/todos", "/api/v1/orders",
         "/api/v1/visits", "/api/v1/expenses"]


def _owners(api: ApiClient, path: str, user: str) -> set[str]:
    r = api.get(path, user)
    assert r.status_code == 200, r.json
    return {item["owner"] for item in r.json["items"]}


def test_lists_are_scoped_by_role(api: ApiClient, services: Services) -> None:
    _docs(services)
    for path in ("/api/v1/offers", "/api/v1/leads", "/api/v1/todos"):
        assert _owners(api, path, "asha") == {"asha"}
        assert _owners(api, path, "bob") == {"bob"}
        assert _owners(api, path, "hema") == {"asha"}
        assert _owners(api, path, "nina") == {"bob"}
        assert _owners(api, path, "adam") == {"asha", "bob"}


def test_single_records_outside_the_scope_are_not_found(api: ApiClient,
                                                        services: Services) -> None:
    offer_a, offer_b = _docs(services)
    assert api.get(f"/api/v1/offers/{offer_a}", "asha").status_code == 200
    assert_error(api.get(f"/api/v1/offers/{offer_a}", "bob"), 404)
    assert_error(api.get(f"/api/v1/offers/{offer_b}", "hema"), 404)
    assert_error(api.get("/api/v1/leads/lead:a1", "nina"), 404)
    assert_error(api.get("/api/v1/todos/todo:b1", "ravi"), 404)
    assert api.get("/api/v1/todos/todo:b1", "adam").status_code == 200
    assert_error(api.get(f"/api/v1/offers/{offer_b}/pdf", "asha"), 404)


def test_every_list_needs_a_token(api: ApiClient) -> None:
    for path in [*LISTS, "/api/v1/customers", "/api/v1/products", "/api/v1/users",
                 "/api/v1/conflicts"]:
        body = assert_error(api.get(path), 401)
        assert "Bearer" in body["message"]
        assert_error(api.get(path, headers={"Authorization": "Bearer forged.token.x"}), 401)


def test_only_admins_change_master_data_and_users(api: ApiClient) -> None:
    changes = [
        ("POST", "/api/v1/customers", {"customer_id": "C-5", "name": "X", "state_code": "29",
                                       "territory_code": "KA"}),
        ("PATCH", "/api/v1/customers/C-1", {"name": "Renamed"}),
        ("POST", "/api/v1/products", {"product_id": "P-5", "name": "X", "hsn_code": "8418",
                                      "gst_rate": "18"}),
        ("PATCH", "/api/v1/products/P-100", {"active": False}),
        ("POST", "/api/v1/price-lists", {"price_list_id": "PL", "name": "X",
                                         "valid_from": "2026-01-01"}),
        ("POST", "/api/v1/users", {"username": "zed", "password": "long enough pw",
                                   "role": "engineer"}),
        ("POST", "/api/v1/users/asha/deactivate", None),
        ("POST", "/api/v1/territories", {"code": "MH", "name": "Maharashtra"}),
        ("POST", "/api/v1/teams", {"name": "west"}),
        ("PUT", "/api/v1/travel-rates/car", {"rate_per_km": "9.50"}),
        ("POST", "/api/v1/conflicts/1/resolve", {"method": "keep", "rev": "1-a"}),
    ]
    for user in ("asha", "hema"):
        for method, path, body in changes:
            assert_error(api.call(method, path, user, json=body), 403)
    assert api.get("/api/v1/products/P-100", "asha").json["active"] is True
    assert api.get("/api/v1/customers/C-1", "adam").json["name"] != "Renamed"


def test_engineers_read_only_their_territory_customers(api: ApiClient) -> None:
    ids = {c["customer_id"] for c in api.get("/api/v1/customers", "asha").json["items"]}
    assert ids == {"C-1", "C-2"}
    assert_error(api.get("/api/v1/customers/C-9", "asha"), 404)
    assert api.get("/api/v1/customers/C-9", "bob").status_code == 200


def test_heads_see_their_team_members_only(api: ApiClient) -> None:
    names = {u["username"] for u in api.get("/api/v1/users", "hema").json["items"]}
    assert names == {"hema", "asha", "ravi"}
    assert_error(api.get("/api/v1/users/bob", "hema"), 404)
    assert_error(api.get("/api/v1/users", "asha"), 403)


def test_flask_errors_come_out_in_the_one_shape(api: ApiClient) -> None:
    assert_error(api.get("/api/v1/nothing-here"), 404)
    assert_error(api.call("DELETE", "/api/v1/offers", "adam"), 405)
    big = b"x" * (api.client.application.config["MAX_CONTENT_LENGTH"] + 1)
    assert_error(api.post("/api/v1/customers", "adam", data=big,
                          content_type="application/json"), 413)
    body = assert_error(api.post("/api/v1/customers", "adam", data=b"{not json",
                                 content_type="application/json"), 400)
    assert body["message"]


def test_pagination_and_sorting_conventions(api: ApiClient) -> None:
    r = api.get("/api/v1/products?page_size=2&sort=-gst_rate", "adam")
    assert r.status_code == 200
    assert r.json["total"] == 3 and r.json["page_size"] == 2 and len(r.json["items"]) == 2
    assert [p["gst_rate"] for p in r.json["items"]] == ["28", "18"]
    second = api.get("/api/v1/products?page_size=2&page=2&sort=-gst_rate", "adam").json
    assert [p["product_id"] for p in second["items"]] == ["P-200"]
    body = assert_error(api.get("/api/v1/products?sort=password", "adam"), 422)
    assert "sort by one of" in str(body["errors"])
    assert_error(api.get("/api/v1/products?page_size=201", "adam"), 422)
    assert_error(api.get("/api/v1/products?page=0", "adam"), 422)
