"""Every way a phone might reach data it must not: each gets a clear 4xx and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from server.accounts.service import create_user
from server.app import create_app
from server.bootstrap import Services
from server.sql.models.sync_state import DocumentStatus
from sync.dirty import DirtySet
from sync.provisioning import catalog_db_name, engineer_db_name
from tests.support.gateway_docs import todo

PASSWORD = "correct horse battery"
STATUS_FOR_AN_UNKNOWN_DATABASE = 400  # "there is no database ... here"


@pytest.fixture
def client(services: Services) -> Iterator[FlaskClient]:
    for name, role in (("asha", "engineer"), ("bob", "engineer"), ("hema", "head"),
                       ("adam", "admin")):
        create_user(services.sessions, services.store, services.settings, name, PASSWORD, role,
                    team="south", territory="KA" if role == "engineer" else None)
    app = create_app(services=services)
    with app.test_client() as c:
        yield c


def token(client: FlaskClient, username: str) -> str:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.json
    return str(r.json["access_token"])


def auth(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def stored_ids(services: Services, username: str) -> list[str]:
    db = engineer_db_name(services.settings.db_prefix, username)
    return [row["id"] for row in services.store.all_docs(db)]


def store_state(services: Services) -> dict[str, tuple[Any, int]]:
    """Every database in the store with its update sequence and document count."""
    return {db: (info["update_seq"], info["doc_count"])
            for db in services.store.all_dbs() if not db.startswith("_")
            for info in [services.store.db_info(db)]}


def judged_in_sql(services: Services) -> list[str]:
    """What the worker puts in SQL once it has read every feed there is to read."""
    services.worker().run_until_idle()
    with services.sessions() as s:
        return list(s.scalars(select(DocumentStatus.doc_id)))


def bulk(client: FlaskClient, tok: str, docs: list[Any], db: str = "me") -> Any:
    return client.post(f"/sync/{db}/_bulk_docs", headers=auth(tok),
                       json={"docs": docs, "new_edits": False})


def test_an_engineer_pushes_and_reads_own_documents(client: FlaskClient,
                                                    services: Services) -> None:
    tok = token(client, "asha")
    r = bulk(client, tok, [dict(todo("asha", "t1"), _rev="1-aaa")])
    assert r.status_code == 201
    assert "todo:t1" in stored_ids(services, "asha")
    got = client.get("/sync/me/todo:t1", headers=auth(tok))
    assert got.status_code == 200 and got.json["title"] == "Call the customer"
    db = engineer_db_name(services.settings.db_prefix, "asha")
    assert db in DirtySet(services.sessions).snapshot()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic YXNoYTpwdw=="}, {"Authorization": "Bearer "},
    {"Authorization": "Bearer not-a-jwt"},
])
def test_no_or_malformed_token_is_refused(client: FlaskClient, headers: dict[str, str]) -> None:
    for method, path in (("GET", "/sync/me"), ("GET", "/sync/"), ("POST", "/sync/me/_bulk_docs"),
                         ("GET", "/sync/me/_changes")):
        r = client.open(path, method=method, headers=headers, json={"docs": []})
        assert r.status_code == 401, (method, path)
        assert r.json["error"] == "unauthorized" and r.json["reason"]


def test_forged_and_expired_tokens_are_refused(client: FlaskClient, services: Services) -> None:
    real = token(client, "asha")
    claims = jwt.decode(real, options={"verify_signature": False})
    forged = jwt.encode({**claims, "sub": claims["sub"]}, "another-secret-of-32-characters!!",
                        algorithm="HS256")
    expired = jwt.encode({**claims, "exp": claims["iat"] - 1},
                         services.settings.jwt_secret, algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    for tok in (forged, expired, unsigned):
        r = client.get("/sync/me", headers=auth(tok))
        assert r.status_code == 401, tok
    assert client.get("/sync/me", headers=auth(real)).status_code == 200


def test_deactivated_user_is_locked_out_at_once(client: FlaskClient, services: Services) -> None:
    tok = token(client, "asha")
    assert client.get("/sync/me", headers=auth(tok)).status_code == 200
    services.accounts.deactivate("asha")
    r = client.get("/sync/me", headers=auth(tok))
    assert r.status_code == 401 and "disabled" in r.json["reason"]


@pytest.mark.parametrize("path", [
    "/sync/fs-eng-bob", "/sync/_users", "/sync/_all_dbs", "/sync/me/_design/x",
    "/sync/me/_design%2Fx", "/sync/me/..%2F..%2Ft1-eng-bob", "/sync/me/../bob",
    "/sync/me/todo:t1%2F..%2F..%2Fbob", "/sync/me/_users", "/sync/me/_security",
    "/sync/me/todo:x/..%2F..%2Fsecret", "/sync/bob", "/sync/../bob/_all_docs",
    "/sync/me/%2E%2E", "/sync/me/_config", "/sync/me/_local/..%2F..%2Fx",
])
def test_path_tricks_never_reach_another_database(client: FlaskClient, services: Services,
                                                  path: str) -> None:
    bob_db = engineer_db_name(services.settings.db_prefix, "bob")
    secret = services.store.put_doc(bob_db, todo("bob", "secret", title="BOBS-PRIVATE"))
    tok = token(client, "asha")
    before, dirty = store_state(services), DirtySet(services.sessions).snapshot()
    for method in ("GET", "PUT", "DELETE"):
        r = client.open(path, method=method, headers=auth(tok), json=todo("asha", "x"))
        assert 400 <= r.status_code < 500, (method, path, r.status_code)
        assert "BOBS-PRIVATE" not in r.get_data(as_text=True)
    # Nothing was written anywhere: no database created or changed, nothing marked for the
    # worker, Bob's document untouched.
    assert store_state(services) == before
    assert DirtySet(services.sessions).snapshot() == dirty
    assert services.store.get_doc(bob_db, "todo:secret")["_rev"] == secret["rev"]
    assert client.get("/sync/", headers=auth(tok)).status_code == 200


def test_bobs_data_is_unreachable_with_ashas_token(client: FlaskClient,
                                                  services: Services) -> None:
    services.store.put_doc(engineer_db_name(services.settings.db_prefix, "bob"),
                           todo("bob", "secret"))
    tok = token(client, "asha")
    assert client.get("/sync/me/todo:secret", headers=auth(tok)).status_code == 404
    changes = client.get("/sync/me/_changes", headers=auth(tok)).json
    assert [c["id"] for c in changes["results"]] == []


def test_heads_and_admins_have_no_phone_databases(client: FlaskClient) -> None:
    for name in ("hema", "adam"):
        r = client.get("/sync/me/_changes", headers=auth(token(client, name)))
        assert r.status_code == 403 and "only engineers" in r.json["reason"]


def test_read_only_databases_accept_checkpoints_only(client: FlaskClient,
                                                     services: Services) -> None:
    tok = token(client, "asha")
    catalog = catalog_db_name(services.settings.db_prefix)
    for db in ("catalog", "customers"):
        assert client.get(f"/sync/{db}", headers=auth(tok)).status_code == 200
        r = bulk(client, tok, [dict(todo("asha", "c1"), _rev="1-aaa")], db=db)
        assert r.status_code == 403 and "read-only" in r.json["reason"]
        r = client.put(f"/sync/{db}/todo:c1", headers=auth(tok), json=todo("asha", "c1"))
        assert r.status_code == 403
        r = client.put(f"/sync/{db}/_local/cp1", headers=auth(tok), json={"last_seq": "5"})
        assert r.status_code == 201
        got = client.get(f"/sync/{db}/_local/cp1", headers=auth(tok))
        assert got.json["last_seq"] == "5"
    assert [r["id"] for r in services.store.all_docs(catalog)] == []


def test_refused_documents_get_forbidden_entries_and_others_are_stored(
        client: FlaskClient, services: Services) -> None:
    tok = token(client, "asha")
    docs = [
        dict(todo("asha", "good"), _rev="1-a"),
        dict(todo("bob", "theirs"), _rev="1-b"),
        {"_id": "receipt:todo:good", "_rev": "1-c", "type": "receipt", "owner": "asha",
         "doc_id": "todo:good", "status": "accepted"},
        {"_id": "_design/evil", "_rev": "1-d", "validate_doc_update": "function(){}"},
        {"_id": "decision:offer:1", "_rev": "1-e", "type": "decision", "owner": "asha"},
        dict(todo("asha", "big", notes="x" * (1024 * 1024 + 10)), _rev="1-f"),
        dict(todo("asha", "odd"), _id="../../x", _rev="1-g"),
        "not an object",
    ]
    r = bulk(client, tok, docs)
    assert r.status_code == 201
    refused = {e["id"]: e for e in r.json if e.get("error") == "forbidden"}
    assert set(refused) == {"todo:theirs", "receipt:todo:good", "_design/evil",
                            "decision:offer:1", "todo:big", "../../x", ""}
    assert all(e["reason"] for e in refused.values())
    assert stored_ids(services, "asha") == ["todo:good"]


def test_forged_receipt_by_single_put_or_delete_is_refused(client: FlaskClient,
                                                          services: Services) -> None:
    tok = token(client, "asha")
    db = engineer_db_name(services.settings.db_prefix, "asha")
    saved = services.store.put_doc(db, {"_id": "receipt:todo:r1", "type": "receipt",
                                        "owner": "asha", "status": "rejected"})
    r = client.put("/sync/me/receipt:todo:r1", headers=auth(tok),
                   json={"type": "receipt", "owner": "asha", "status": "accepted",
                         "_rev": saved["rev"]})
    assert r.status_code == 403
    r = client.delete(f"/sync/me/receipt:todo:r1?rev={saved['rev']}", headers=auth(tok))
    assert r.status_code == 403
    assert services.store.get_doc(db, "receipt:todo:r1")["status"] == "rejected"


@pytest.mark.parametrize("body", [b"{not json", b"[1,2]", b'{"docs": 5}', b'{"docs": [], '
                                  b'"new_edits": "no"}'])
def test_malformed_bulk_docs_is_a_400(client: FlaskClient, body: bytes) -> None:
    tok = token(client, "asha")
    r = client.post("/sync/me/_bulk_docs", headers={**auth(tok),
                                                    "Content-Type": "application/json"},
                    data=body)
    assert r.status_code == 400 and r.json["error"] == "bad_request"


@pytest.mark.parametrize("body", [b"{not json", b'{"todo:1": "1-a"}', b"[]",
                                  b'{"todo:1": [1]}'])
def test_malformed_revs_diff_never_reaches_the_store(client: FlaskClient, services: Services,
                                                     body: bytes) -> None:
    tok = token(client, "asha")
    before = store_state(services)
    r = client.post("/sync/me/_revs_diff", headers=auth(tok), data=body,
                    content_type="application/json")
    assert r.status_code == 400
    assert store_state(services) == before
    assert "todo:1" not in stored_ids(services, "asha")
    assert judged_in_sql(services) == []


def test_oversized_request_is_a_413(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    small = services.settings.with_overrides(max_request_bytes=10_000)
    app = create_app(services=Services(small, services.engine, services.sessions,
                                       services.store))
    with app.test_client() as c:
        tok = token(c, "asha")
        body = json.dumps({"docs": [dict(todo("asha", "big"), notes="x" * 20_000)]})
        r = c.post("/sync/me/_bulk_docs", headers=auth(tok), data=body,
                   content_type="application/json")
    assert r.status_code == 413 and r.json["error"] == "too_large"
    assert stored_ids(services, "asha") == []


@pytest.mark.parametrize("query", ["filter=app/by_owner", "filter=_view&view=x/y",
                                   "filter=_selector", "feed=continuous", "feed=eventsource",
                                   "style=weird", "limit=-1", "since=" + "9" * 600,
                                   "include_docs=maybe"])
def test_unknown_changes_options_are_refused_before_the_store(
        client: FlaskClient, services: Services, query: str) -> None:
    db = engineer_db_name(services.settings.db_prefix, "asha")
    services.store.put_doc(db, todo("asha", "t1", title="ASHAS-TODO"))
    tok = token(client, "asha")
    before = store_state(services)
    r = client.get(f"/sync/me/_changes?{query}", headers=auth(tok))
    assert r.status_code == 400 and r.json["reason"]
    assert "ASHAS-TODO" not in r.get_data(as_text=True) and "todo:t1" not in r.json["reason"]
    assert store_state(services) == before
    assert client.get("/sync/me/_changes", headers=auth(tok)).status_code == 200


def test_design_documents_are_hidden_from_reads(client: FlaskClient,
                                                services: Services) -> None:
    db = engineer_db_name(services.settings.db_prefix, "asha")
    services.store.bulk_docs(db, [{"_id": "_design/server", "views": {}}, todo("asha", "t1")])
    tok = token(client, "asha")
    changes = client.get("/sync/me/_changes", headers=auth(tok)).json
    assert [c["id"] for c in changes["results"]] == ["todo:t1"]
    rows = client.get("/sync/me/_all_docs", headers=auth(tok)).json["rows"]
    assert [r["id"] for r in rows] == ["todo:t1"]
    r = client.post("/sync/me/_bulk_get", headers=auth(tok),
                    json={"docs": [{"id": "_design/server"}]})
    assert r.status_code == 403


def test_access_token_lifetime_is_enforced(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    svc = services.accounts
    pair = svc.login("asha", PASSWORD, client=_client())
    later = svc.clock() + timedelta(seconds=services.settings.access_token_ttl_s + 1)
    svc.clock = lambda: later
    with pytest.raises(Exception, match="expired"):
        svc.authenticate(pair.access_token)


def _client() -> Any:
    from server.accounts.service import ClientInfo

    return ClientInfo("10.0.0.1", "pytest")


def test_a_path_trick_in_the_database_name_reaches_no_physical_database(client: FlaskClient,
                                                          services: Services) -> None:
    # Plant the databases a careless mapping of "me/../_users" would reach, each with a secret.
    careless = [services.settings.db_prefix + "me", services.settings.db_prefix + "_users"]
    for db in careless:
        services.store.ensure_db(db)
        services.store.put_doc(db, {"_id": "secret", "title": "NOT-FOR-PHONES"})
    tok = token(client, "asha")
    before = store_state(services)
    for method in ("GET", "PUT", "DELETE"):
        r = client.open("/sync/me%2F..%2F_users", method=method, headers=auth(tok),
                        json=todo("asha", "x"))
        assert r.status_code == STATUS_FOR_AN_UNKNOWN_DATABASE, (method, r.status_code)
        assert "NOT-FOR-PHONES" not in r.get_data(as_text=True)
    assert store_state(services) == before
    for db in careless:
        assert services.store.get_doc(db, "secret")["title"] == "NOT-FOR-PHONES"
