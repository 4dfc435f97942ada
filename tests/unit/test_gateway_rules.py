"""Gateway routing, id checks, write screening and `_changes` parameters, without sockets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from sync.gateway.changes import parse_query
from sync.gateway.errors import BadRequestError, ForbiddenError, NotFoundError
from sync.gateway.paths import path_of
from sync.gateway.routing import Caller, Kind, check_doc_id, parse_path, physical_db
from sync.gateway.writes import screen

ASHA = Caller("asha", "engineer", "KA")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str


def only_own_todos(doc: dict[str, Any], owner: str, measure_size: bool) -> Verdict:
    ok = doc.get("type") == "todo" and doc.get("owner") == owner
    return Verdict(ok, "" if ok else f"not {owner}'s todo")


def test_logical_names_map_to_the_callers_databases_only() -> None:
    assert physical_db(ASHA, "me", "fs-").name == "fs-eng-asha"
    assert physical_db(ASHA, "catalog", "fs-") .name == "fs-catalog"
    assert physical_db(ASHA, "customers", "fs-").name == "fs-customers-ka"
    assert physical_db(ASHA, "me", "fs-").writable
    assert not physical_db(ASHA, "catalog", "fs-").writable
    with pytest.raises(ForbiddenError, match="only engineers"):
        physical_db(Caller("hema", "head", None), "me", "fs-")
    with pytest.raises(ForbiddenError, match="territory"):
        physical_db(Caller("new", "engineer", None), "customers", "fs-")


@pytest.mark.parametrize("path,kind,name", [
    ("me", Kind.DB, ""), ("me/", Kind.DB, ""), ("me/_changes", Kind.SPECIAL, "_changes"),
    ("catalog/_local/abc_1.x=", Kind.LOCAL, "abc_1.x="), ("me/todo:1", Kind.DOC, "todo:1"),
    ("me/expense:9/receipt.jpg", Kind.ATTACHMENT, "expense:9"),
])
def test_paths_parse(path: str, kind: Kind, name: str) -> None:
    target = parse_path(path)
    assert (target.kind, target.name) == (kind, name)


@pytest.mark.parametrize("path,error", [
    ("fs-eng-bob", NotFoundError), ("_users", NotFoundError), ("..", NotFoundError),
    ("me/_design/x", ForbiddenError), ("me/_security", NotFoundError),
    ("me/../../x", BadRequestError), ("me/todo:1/../../x", BadRequestError),
    ("me/_local/../x", NotFoundError), ("me/.hidden", BadRequestError),
    ("me/todo:1/a/b", BadRequestError),
])
def test_tricky_paths_are_refused(path: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_path(path)


@pytest.mark.parametrize("doc_id", ["", "_design/x", "a/b", "a b", "x" * 201, "..", "a..b",
                                    "_local/x", "é"])
def test_document_ids_outside_the_safe_set_are_refused(doc_id: str) -> None:
    with pytest.raises((BadRequestError, ForbiddenError)):
        check_doc_id(doc_id)


def test_forwarded_paths_are_percent_encoded() -> None:
    assert path_of("fs-eng-asha", "todo:1", "a.png") == "fs-eng-asha/todo%3A1/a.png"


def test_screen_splits_good_from_refused_documents() -> None:
    docs = [{"_id": "todo:1", "type": "todo", "owner": "asha"},
            {"_id": "todo:2", "type": "todo", "owner": "bob"},
            {"_id": "todo:3", "_rev": "2-a", "_deleted": True},
            {"_id": "receipt:todo:1", "_rev": "2-a", "_deleted": True},
            {"_id": "_design/x"}, 42]
    out = screen(docs, owner="asha", measure_size=True, check=only_own_todos)
    assert [d["_id"] for d in out.accepted] == ["todo:1", "todo:3"]
    assert [(r["id"], r["error"]) for r in out.refused] == [
        ("todo:2", "forbidden"), ("receipt:todo:1", "forbidden"), ("_design/x", "forbidden"),
        ("", "forbidden")]
    assert all(r["reason"] for r in out.refused)


def test_changes_parameters_are_checked() -> None:
    q = parse_query({"feed": "longpoll", "since": "12", "limit": "100", "style": "all_docs",
                     "heartbeat": "10000", "timeout": "600000"}, None)
    assert q.longpoll and q.wait_s == 60 and q.heartbeat_s == 10
    assert q.params == {"since": "12", "limit": "100", "style": "all_docs"}
    ids = parse_query({"filter": "_doc_ids"}, {"doc_ids": ["todo:1"]})
    assert ids.doc_ids == ["todo:1"]
    for bad in ({"filter": "app/mine"}, {"feed": "continuous"}, {"limit": "x"},
                {"timeout": "-5"}, {"filter": "_doc_ids"}):
        with pytest.raises(BadRequestError):
            parse_query(bad, None)


def test_checkpoints_are_kept_in_the_callers_own_database() -> None:
    asha = Caller("asha", "engineer", "KA")
    me = physical_db(asha, "me", "fs-")
    assert me.local_location("cp1") == ("fs-eng-asha", "cp1")
    catalog = physical_db(asha, "catalog", "fs-")
    assert catalog.local_location("cp1") == ("fs-eng-asha", "fs-catalog:cp1")
    customers = physical_db(asha, "customers", "fs-")
    assert customers.local_location("cp1") == ("fs-eng-asha", "fs-customers-ka:cp1")
    bob = physical_db(Caller("bob", "engineer", "KA"), "catalog", "fs-")
    assert bob.local_location("cp1")[0] == "fs-eng-bob"
