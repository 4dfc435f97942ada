"""Refused: anonymous store access, bad attachments, others' checkpoints, hostile JSON."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask.testing import FlaskClient

from server.accounts.service import create_user
from server.app import create_app
from server.bootstrap import Services
from server.sql.migrate import upgrade
from server.sql.models.accounts import User
from server.sql.models.master import Customer, Territory
from server.sql.session import make_engine
from sync.embedded import StoreEndpoint
from sync.provisioning import catalog_db_name, customers_db_name, engineer_db_name
from sync.store import CouchStore
from tests.factories import make_expense
from tests.support.api import phone_writes
from tests.support.gateway_docs import todo

PASSWORD = "correct horse battery"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<html><script>alert(document.domain)</script></html>"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def photo(data: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
    return {"content_type": content_type, "data": b64(data)}


@pytest.fixture
def client(services: Services) -> Iterator[FlaskClient]:
    for name, role in (("asha", "engineer"), ("bob", "engineer"), ("adam", "admin")):
        create_user(services.sessions, services.store, services.settings, name, PASSWORD, role,
                    team="south", territory="KA" if role == "engineer" else None)
    with create_app(services=services).test_client() as c:
        yield c


def auth(client: FlaskClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {r.json['access_token']}"}


def push(client: FlaskClient, headers: dict[str, str], docs: list[Any]) -> Any:
    r = client.post("/sync/me/_bulk_docs", headers=headers, json={"docs": docs})
    assert r.status_code == 201, (r.status_code, r.get_data(as_text=True)[:300])
    return {e["id"]: e for e in r.json}


def stored(services: Services, username: str) -> set[str]:
    db = engineer_db_name(services.settings.db_prefix, username)
    return {row["id"] for row in services.store.all_docs(db)}


# The embedded store --------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/_all_dbs"), ("PUT", "/anonymous-db"), ("GET", "/{db}"),
    ("GET", "/{db}/_all_docs"), ("GET", "/{db}/todo:1"), ("PUT", "/{db}/todo:2"),
    ("GET", "/{db}/_local/checkpoint"), ("GET", "/_users/_all_docs"), ("GET", "/_config"),
])
def test_the_embedded_store_answers_nobody_but_its_admin(
        store_endpoint: StoreEndpoint, store: CouchStore, db_prefix: str, method: str,
        path: str) -> None:
    db = db_prefix + "private"
    store.ensure_db(db)
    store.put_doc(db, {"_id": "todo:1", "title": "PRIVATE"})
    url = store_endpoint.url + path.format(db=db)
    body = {"title": "anonymous"} if "todo:" in path else None
    for credentials in (None, (store_endpoint.username, "wrong password"), ("asha", "asha")):
        r = requests.request(method, url, json=body, auth=credentials, timeout=10)
        assert r.status_code == 401, (method, path, credentials, r.status_code)
        assert "PRIVATE" not in r.text and r.json()["error"] == "unauthorized"
    assert "anonymous-db" not in store.all_dbs()
    assert store.get_doc(db, "todo:1")["title"] == "PRIVATE"
    assert "todo:2" not in {row["id"] for row in store.all_docs(db)}


def test_databases_fieldsync_creates_are_for_the_store_admin_only(
        store_endpoint: StoreEndpoint, store: CouchStore, db_prefix: str) -> None:
    db = db_prefix + "secured"
    assert store.ensure_db(db)
    security = requests.get(f"{store_endpoint.url}/{db}/_security", timeout=10,
                            auth=(store_endpoint.username, store_endpoint.password)).json()
    assert security["members"]["names"] == [store_endpoint.username]
    assert security["admins"]["roles"] == ["_admin"]


def test_fieldsync_itself_still_reads_and_writes_through_the_gateway_and_worker(
        client: FlaskClient, services: Services) -> None:
    asha = auth(client, "asha")
    assert push(client, asha, [todo("asha", "t1")])["todo:t1"]["ok"]
    phone_writes(services, "asha")  # the worker, with the store credentials
    got = client.get("/sync/me/receipt:todo:t1", headers=asha)
    assert got.status_code == 200 and got.json["status"] == "accepted"


# Attachments ---------------------------------------------------------------------------------

def test_an_html_page_declared_as_a_jpeg_is_refused_with_a_reason(
        client: FlaskClient, services: Services) -> None:
    asha = auth(client, "asha")
    results = push(client, asha, [
        make_expense("asha", _id="expense:html", _attachments={"receipt.jpg": photo(HTML)}),
        make_expense("asha", _id="expense:jpeg", _attachments={"receipt.jpg": photo(JPEG)}),
        make_expense("asha", _id="expense:svg", _attachments={
            "receipt.svg": photo(HTML, "image/svg+xml")}),
        make_expense("asha", _id="expense:png", _attachments={
            "receipt.png": photo(PNG, "image/jpeg")}),
    ])
    assert results["expense:html"]["error"] == "forbidden"
    assert "declared image/jpeg but its bytes are not a JPEG, PNG or PDF" in \
        results["expense:html"]["reason"]
    assert "only image/jpeg, image/png, application/pdf" in results["expense:svg"]["reason"]
    assert "its bytes are a image/png file" in results["expense:png"]["reason"]
    assert results["expense:jpeg"]["ok"]
    assert stored(services, "asha") == {"expense:jpeg"}


def test_an_attachment_over_the_cap_is_refused_while_the_rest_of_the_batch_is_stored(
        client: FlaskClient, services: Services) -> None:
    asha = auth(client, "asha")
    big = JPEG + b"\x00" * (6 * 1024 * 1024)
    results = push(client, asha, [
        make_expense("asha", _id="expense:big", _attachments={"receipt.jpg": photo(big)}),
        todo("asha", "t1"),
    ])
    assert results["expense:big"]["error"] == "forbidden"
    assert "6.0 MB; at most 5.0 MB can be attached" in results["expense:big"]["reason"]
    assert stored(services, "asha") == {"todo:t1"}


def test_bad_base64_is_refused_per_document_not_a_503_for_the_batch(
        client: FlaskClient, services: Services) -> None:
    asha = auth(client, "asha")
    bad = {"receipt.jpg": {"content_type": "image/jpeg", "data": "not base64 at all!"}}
    results = push(client, asha, [make_expense("asha", _id="expense:bad", _attachments=bad),
                                  todo("asha", "t1")])
    assert results["expense:bad"]["error"] == "forbidden"
    assert "not valid base64" in results["expense:bad"]["reason"]
    assert stored(services, "asha") == {"todo:t1"}
    # The same document alone in a request is a bad request, not a store failure.
    r = client.put("/sync/me/expense:bad", headers=asha,
                   json=make_expense("asha", _id="expense:bad", _attachments=bad))
    assert r.status_code == 400 and "not valid base64" in r.json["reason"]


def test_served_attachments_are_never_rendered_as_pages(client: FlaskClient,
                                                        services: Services) -> None:
    # Written behind the gateway's back, as an older server would have stored them.
    phone_writes(services, "asha",
                 make_expense("asha", _id="expense:e1", _attachments={
                     "receipt.png": photo(PNG, "image/png")}),
                 make_expense("asha", _id="expense:e2", _attachments={
                     "receipt.jpg": {"content_type": "image/jpeg", "data": b64(HTML)}}))
    admin = auth(client, "adam")
    good = client.get("/api/v1/attachments/expense:e1/receipt.png", headers=admin)
    assert good.status_code == 200 and good.data == PNG
    assert good.headers["Content-Type"] == "image/png"
    assert good.headers["X-Content-Type-Options"] == "nosniff"
    assert good.headers["Content-Disposition"] == 'inline; filename="receipt.png"'
    html = client.get("/api/v1/attachments/expense:e2/receipt.jpg", headers=admin)
    assert html.status_code == 200
    assert html.headers["Content-Type"] == "application/octet-stream"
    assert html.headers["X-Content-Type-Options"] == "nosniff"
    assert html.headers["Content-Disposition"] == "attachment"
    through_gateway = client.get("/sync/me/expense:e1/receipt.png", headers=auth(client, "asha"))
    assert through_gateway.status_code == 200 and through_gateway.data == PNG
    assert through_gateway.headers["X-Content-Type-Options"] == "nosniff"
    assert through_gateway.headers["Content-Disposition"] == "attachment"


# Checkpoints in shared databases -------------------------------------------------------------

@pytest.mark.parametrize("logical", ["catalog", "customers"])
def test_a_checkpoint_in_a_shared_database_is_the_engineers_own(
        client: FlaskClient, services: Services, logical: str) -> None:
    asha, bob = auth(client, "asha"), auth(client, "bob")
    big = {"history": ["x" * 1024] * 5 * 1024}  # 5 MB
    r = client.put(f"/sync/{logical}/_local/cp1", headers=asha, json=big)
    assert r.status_code == 201 and r.json["id"] == "_local/cp1"
    assert client.get(f"/sync/{logical}/_local/cp1", headers=bob).status_code == 404
    assert client.delete(f"/sync/{logical}/_local/cp1?rev={r.json['rev']}",
                         headers=bob).status_code == 404
    mine = client.get(f"/sync/{logical}/_local/cp1", headers=asha)
    assert mine.status_code == 200 and mine.json["_id"] == "_local/cp1"
    assert len(mine.json["history"]) == 5 * 1024
    shared = (catalog_db_name(services.settings.db_prefix) if logical == "catalog"
              else customers_db_name(services.settings.db_prefix, "KA"))
    got = requests.get(f"{services.store.url}/{shared}/_local/cp1", timeout=10,
                       auth=(services.settings.store_username, services.settings.store_password))
    assert got.status_code == 404
    # The engineer's own database keeps its checkpoints apart from the shared ones.
    assert client.get("/sync/me/_local/cp1", headers=asha).status_code == 404


# Territory codes -----------------------------------------------------------------------------

def test_territory_codes_differing_only_in_case_are_one_territory(client: FlaskClient,
                                                                 services: Services) -> None:
    admin = auth(client, "adam")
    assert client.post("/api/v1/territories", headers=admin,
                       json={"code": "blr", "name": "Bengaluru"}).json["code"] == "BLR"
    assert client.post("/api/v1/territories", headers=admin,
                       json={"code": "BLR", "name": "Bengaluru"}).status_code == 201
    r = client.post("/api/v1/customers", headers=admin, json={
        "customer_id": "C-7", "name": "Peenya Tools", "state_code": "29",
        "territory_code": "Blr"})
    assert r.status_code == 201 and r.json["territory_code"] == "BLR"
    r = client.patch("/api/v1/users/bob", headers=admin, json={"territory_code": "blr"})
    assert r.status_code == 200 and r.json["territory_code"] == "BLR"
    made = create_user(services.sessions, services.store, services.settings, "ravi", PASSWORD,
                       "engineer", territory="bLr")
    assert made.territory_code == "BLR"
    with services.sessions() as s:
        codes = list(s.scalars(sa.select(Territory.code).where(
            sa.func.upper(Territory.code) == "BLR")))
    assert codes == ["BLR"]
    listed = client.get("/api/v1/customers?territory_code=blr", headers=admin).json
    assert [c["customer_id"] for c in listed["items"]] == ["C-7"]
    bob = auth(client, "bob")
    rows = client.get("/sync/customers/_all_docs", headers=bob).json["rows"]
    assert [row["id"] for row in rows] == ["customer:C-7"]


def test_existing_lower_case_territories_are_merged_by_the_migration(
        empty_sql_url: str) -> None:
    engine = make_engine(empty_sql_url)
    try:
        upgrade(engine, "0005_worker_leases")  # the revision before 0006_territory_codes
        with engine.begin() as c:
            c.execute(sa.insert(Territory), [{"code": "blr", "name": "Bengaluru"},
                                             {"code": "BLR", "name": "Bangalore"},
                                             {"code": "mum", "name": "Mumbai"}])
            c.execute(sa.insert(Customer), [
                {"customer_id": f"C-{code}", "name": code, "state_code": "29",
                 "territory_code": code, "address": "", "city": "", "pincode": "",
                 "active": True} for code in ("blr", "BLR", "mum")])
            c.execute(sa.insert(User), [{"username": "asha", "password_hash": "x",
                                         "role": "engineer", "territory_code": "mum",
                                         "discount_limit_pct": 0, "full_name": "",
                                         "active": True}])
        upgrade(engine)
        with engine.connect() as c:
            assert dict(c.execute(sa.select(Territory.code, Territory.name)).all()) == {
                "BLR": "Bangalore", "MUM": "Mumbai"}
            assert sorted(c.execute(sa.select(Customer.territory_code)).scalars()) == [
                "BLR", "BLR", "MUM"]
            assert c.execute(sa.select(User.territory_code)).scalar_one() == "MUM"
    finally:
        engine.dispose()


# Hostile JSON --------------------------------------------------------------------------------

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(("path", "who"), [
    ("/api/v1/auth/login", None), ("/api/v1/users", "adam"), ("/api/v1/customers", "adam"),
    ("/sync/me/_bulk_docs", "asha"), ("/sync/me/_revs_diff", "asha"),
    ("/sync/me/_local/cp1", "asha"),
])
def test_deeply_nested_json_is_a_400_with_a_reason(client: FlaskClient, path: str,
                                                   who: str | None) -> None:
    headers = auth(client, who) if who else {}
    method = "PUT" if "_local" in path else "POST"
    r = client.open(path, method=method, headers=headers, data=NESTED,
                    content_type="application/json")
    assert r.status_code == 400, (path, r.status_code)
    body = r.get_json()
    assert body.get("message") or body.get("reason")


def test_a_lone_surrogate_username_is_refused_not_a_500(client: FlaskClient,
                                                       services: Services) -> None:
    body = b'{"username": "\\ud800", "password": "correct horse battery"}'
    r = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert r.status_code == 400 and "surrogate" in r.json["message"]
    admin = auth(client, "adam")
    body = (b'{"username": "a\\ud800", "password": "correct horse battery", '
            b'"role": "engineer"}')
    r = client.post("/api/v1/users", headers=admin, data=body, content_type="application/json")
    assert r.status_code == 400 and "surrogate" in r.json["message"]
    r = client.post("/sync/me/_bulk_docs", headers=auth(client, "asha"),
                    data=b'{"docs": [{"_id": "todo:\\udc00"}]}', content_type="application/json")
    assert r.status_code == 400 and "surrogate" in r.json["reason"]
    assert services.store.ping()

