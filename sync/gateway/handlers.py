"""The replication endpoints, free of Flask: each takes a checked target and answers bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.gateway import codec
from sync.gateway.changes import ChangesFeed, parse_query
from sync.gateway.errors import (
    BadRequestError,
    ForbiddenError,
    GatewayError,
    MethodNotAllowedError,
    NotFoundError,
    UpstreamError,
)
from sync.gateway.feeds import ChangeHub
from sync.gateway.routing import Kind, PhysicalDb, Target, check_doc_id
from sync.gateway.upstream import Upstream, path_of, stream_body
from sync.gateway.writes import StructureCheck, screen

DOC_PARAMS = ("rev", "revs", "open_revs", "latest", "attachments", "att_encoding_info",
              "conflicts", "revs_info", "atts_since")
ALL_DOCS_PARAMS = ("include_docs", "conflicts", "limit", "skip", "descending", "startkey",
                   "endkey", "start_key", "end_key", "key", "inclusive_end", "update_seq")
BULK_GET_PARAMS = ("revs", "attachments", "latest", "att_encoding_info")


@dataclass(frozen=True)
class Incoming:
    """One request as the handlers see it."""

    method: str
    args: Mapping[str, str]
    body: bytes = b""


@dataclass
class Outgoing:
    """One answer: a status, a body (bytes or chunks) and headers."""

    status: int
    body: bytes | Iterable[bytes]
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def as_json(status: int, payload: Any) -> Outgoing:
    return Outgoing(status, codec.dumps(payload))


def read_json(body: bytes, want: type) -> Any:
    try:
        value = codec.loads(body or b"null")
    except (ValueError, TypeError) as exc:
        raise BadRequestError(f"the request body is not valid JSON ({exc})") from None
    if not isinstance(value, want):
        raise BadRequestError(f"the request body must be a JSON {want.__name__}")
    return value


@dataclass
class Gateway:
    """Answers one request against one physical database the caller was allowed."""

    upstream: Upstream
    hub: ChangeHub
    check: StructureCheck
    on_write: Callable[[str], None]  # marks the database dirty for the worker
    max_document_bytes: int
    max_attachment_bytes: int | None = None

    def handle(self, target: Target, db: PhysicalDb, owner: str, req: Incoming) -> Outgoing:
        if target.kind is Kind.DB:
            return self.database(db, req)
        if target.kind is Kind.LOCAL:
            return self.local(db, target.name, req)
        if target.kind is Kind.SPECIAL:
            return self.special(db, target.name, owner, req)
        if target.kind is Kind.DOC:
            return self.document(db, target.name, owner, req)
        return self.attachment(db, target, req)

    def database(self, db: PhysicalDb, req: Incoming) -> Outgoing:
        if req.method == "PUT":
            return as_json(412, {"error": "file_exists", "reason": "The database exists."})
        _allow(req, "GET", "HEAD")
        status, info = self.upstream.json("GET", path_of(db.name))
        if status == 404:
            # Master data may not have been published yet: an empty database is the truth.
            self.upstream.json("PUT", path_of(db.name))
            status, info = self.upstream.json("GET", path_of(db.name))
        return self._relay_json(status, info)

    def local(self, db: PhysicalDb, local_id: str, req: Incoming) -> Outgoing:
        _allow(req, "GET", "PUT", "DELETE")
        body = None
        if req.method == "PUT":
            doc = read_json(req.body, dict)
            doc["_id"] = f"_local/{local_id}"
            body = codec.dumps(doc)
        params = {"rev": req.args["rev"]} if "rev" in req.args else None
        status, answer = self.upstream.json(req.method, path_of(db.name, "_local", local_id),
                                            body=body, params=params)
        return self._relay_json(status, answer)

    def special(self, db: PhysicalDb, name: str, owner: str, req: Incoming) -> Outgoing:
        if name == "_changes":
            _allow(req, "GET", "POST")
            return self.changes(db, req)
        if name == "_all_docs":
            _allow(req, "GET", "POST")
            return self.all_docs(db, req)
        _allow(req, "POST")
        if name == "_revs_diff":
            return self.revs_diff(db, req)
        if name == "_bulk_get":
            return self.bulk_get(db, req)
        if name == "_bulk_docs":
            return self.bulk_docs(db, owner, req)
        return as_json(201, {"ok": True, "instance_start_time": "0"})  # _ensure_full_commit

    def changes(self, db: PhysicalDb, req: Incoming) -> Outgoing:
        query = parse_query(req.args, read_json(req.body, dict) if req.body else None)
        feed = ChangesFeed(self.upstream, self.hub, db.name)
        page, generation = feed.start(query)
        if generation is None:
            return as_json(200, page)
        return Outgoing(200, feed.wait(query, page, generation))

    def all_docs(self, db: PhysicalDb, req: Incoming) -> Outgoing:
        params = {k: req.args[k] for k in ALL_DOCS_PARAMS if k in req.args}
        body = None
        if req.method == "POST":
            keys = read_json(req.body, dict).get("keys")
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise BadRequestError("keys must be a JSON list of document ids")
            body = codec.dumps({"keys": keys})
        status, answer = self.upstream.json(req.method, path_of(db.name, "_all_docs"),
                                            params=params, body=body)
        if status == 200 and isinstance(answer, dict):
            answer["rows"] = [r for r in answer.get("rows", []) if not _design(r.get("id"))
                              and not _design(r.get("key"))]
        return self._relay_json(status, answer)

    def revs_diff(self, db: PhysicalDb, req: Incoming) -> Outgoing:
        asked = read_json(req.body, dict)
        good: dict[str, list[str]] = {}
        answer: dict[str, Any] = {}
        for doc_id, revs in asked.items():
            if not isinstance(revs, list) or not all(isinstance(r, str) for r in revs):
                raise BadRequestError(f"_revs_diff wants a list of revisions for {doc_id!r}")
            try:
                good[check_doc_id(doc_id)] = revs
            except GatewayError:
                # Reported missing, so the phone pushes it and learns why it is refused.
                answer[doc_id] = {"missing": revs}
        if good:
            status, found = self.upstream.json("POST", path_of(db.name, "_revs_diff"),
                                               body=codec.dumps(good))
            if status != 200:
                return self._relay_json(status, found)
            answer.update(found)
        return as_json(200, answer)

    def bulk_get(self, db: PhysicalDb, req: Incoming) -> Outgoing:
        body = read_json(req.body, dict)
        docs = body.get("docs")
        if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
            raise BadRequestError("_bulk_get wants {\"docs\": [{\"id\": …, \"rev\": …}, …]}")
        for d in docs:
            check_doc_id(d.get("id"))
        params = {k: req.args[k] for k in BULK_GET_PARAMS if k in req.args}
        response = self.upstream.request("POST", path_of(db.name, "_bulk_get"), params=params,
                                         body=codec.dumps({"docs": docs}), stream=True)
        return Outgoing(response.status_code, stream_body(response))

    def bulk_docs(self, db: PhysicalDb, owner: str, req: Incoming) -> Outgoing:
        _writable(db)
        body = read_json(req.body, dict)
        if not isinstance(body.get("docs"), list):
            raise BadRequestError("_bulk_docs wants {\"docs\": [...]}")
        new_edits = body.get("new_edits", True)
        if not isinstance(new_edits, bool):
            raise BadRequestError("new_edits must be true or false")
        screened = screen(body["docs"], owner=owner, max_bytes=self._size_limit(req.body),
                          check=self.check, max_attachment_bytes=self.max_attachment_bytes)
        results: list[Any] = []
        if screened.accepted:
            status, stored = self.upstream.json("POST", path_of(db.name, "_bulk_docs"),
                                                body=codec.dumps({"docs": screened.accepted,
                                                                 "new_edits": new_edits}))
            if status not in (200, 201):
                return self._relay_json(status, stored)
            results = list(stored)
            self._written(db.name)
        return as_json(201, results + screened.refused)

    def _size_limit(self, raw: bytes) -> int:
        """Measure each document only when the request is large enough to hold a big one.

        Re-encoding every document just to measure it costs a fifth of the gateway's time on a
        push. A document in a small request is all but never over the limit (only number
        spellings like `1e9` grow when re-encoded), and the worker measures every document
        exactly, rejecting with a receipt what slipped through.
        """
        return self.max_document_bytes if len(raw) * 2 > self.max_document_bytes else 1 << 62

    def document(self, db: PhysicalDb, doc_id: str, owner: str, req: Incoming) -> Outgoing:
        if req.method in ("GET", "HEAD"):
            params = {k: req.args[k] for k in DOC_PARAMS if k in req.args}
            status, found = self.upstream.json("GET", path_of(db.name, doc_id), params=params)
            return self._relay_json(status, found)
        _allow(req, "PUT", "DELETE")
        _writable(db)
        if req.method == "DELETE":
            doc: dict[str, Any] = {"_id": doc_id, "_rev": req.args.get("rev", ""), "_deleted": True}
        else:
            doc = {**read_json(req.body, dict), "_id": doc_id}
            if "rev" in req.args:
                doc["_rev"] = req.args["rev"]
        screened = screen([doc], owner=owner, max_bytes=self.max_document_bytes,
                          check=self.check, max_attachment_bytes=self.max_attachment_bytes)
        if screened.refused:
            raise ForbiddenError(screened.refused[0]["reason"])
        status, answer = self.upstream.json("PUT", path_of(db.name, doc_id),
                                            body=codec.dumps(doc))
        if status in (200, 201, 202):
            self._written(db.name)
        return self._relay_json(status, answer)

    def attachment(self, db: PhysicalDb, target: Target, req: Incoming) -> Outgoing:
        if req.method not in ("GET", "HEAD"):
            raise ForbiddenError("attachments are written inside their document (_bulk_docs)")
        params = {"rev": req.args["rev"]} if "rev" in req.args else None
        response = self.upstream.request("GET", path_of(db.name, target.name, target.attachment),
                                         params=params, stream=True, headers={"Accept": "*/*"})
        kind = response.headers.get("Content-Type", "application/octet-stream")
        return Outgoing(response.status_code, stream_body(response), kind)

    def _written(self, db: str) -> None:
        self.on_write(db)
        self.hub.notify(db)

    def _relay_json(self, status: int, payload: Any) -> Outgoing:
        if status == 404:
            reason = payload.get("reason", "missing") if isinstance(payload, dict) else "missing"
            raise NotFoundError(str(reason))
        if status >= 500:
            raise UpstreamError("the document store failed; try again")
        return as_json(status, payload)


def _allow(req: Incoming, *methods: str) -> None:
    if req.method not in methods:
        raise MethodNotAllowedError(f"{req.method} is not allowed here; use {', '.join(methods)}")


def _writable(db: PhysicalDb) -> None:
    if not db.writable:
        raise ForbiddenError("this database is read-only on phones: only checkpoints are kept")


def _design(value: object) -> bool:
    return isinstance(value, str) and value.startswith("_design/")


def chunks_of(outgoing: Outgoing) -> Iterator[bytes]:
    if isinstance(outgoing.body, bytes):
        yield outgoing.body
    else:
        yield from outgoing.body
