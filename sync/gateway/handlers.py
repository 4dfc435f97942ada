"""The replication endpoints, free of Flask: each takes a checked target and answers bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from sync.documents.attachments import DEFAULT_MAX_ATTACHMENT_BYTES, check_attachments
from sync.documents.size import MAX_DOCUMENT_BYTES
from sync.gateway import codec
from sync.gateway.changes import ChangesFeed, parse_query
from sync.gateway.errors import (
    BadRequestError,
    ForbiddenError,
    GatewayError,
    MethodNotAllowedError,
    NotFoundError,
    TooLargeError,
    UpstreamError,
)
from sync.gateway.feeds import ChangeHub, FeedSlots
from sync.gateway.paths import path_of
from sync.gateway.routing import Kind, PhysicalDb, Target, check_doc_id
from sync.gateway.upstream import Upstream, stream_body
from sync.gateway.writes import FrozenLookup, Screened, StructureCheck, screen, screen_frozen
from sync.store import admin_only_security

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


class Marks(Protocol):
    """Dirty marks around a store write (sync/gateway/marks.py): before may refuse (503)."""

    def before(self, db: str) -> None: ...
    def after(self, db: str) -> None: ...


@dataclass(frozen=True)
class BatchLimits:
    """How much one `_bulk_docs` may carry, so that no engineer's push holds the store long."""

    max_docs: int
    max_bytes: int

    def check_bytes(self, size: int | None) -> None:
        if size is not None and size > self.max_bytes:
            raise TooLargeError(
                f"this _bulk_docs is {size:,} bytes; at most {self.max_bytes:,} are taken at "
                "once (attachments included): replicate with a smaller batch_size")

    def check_docs(self, count: int) -> None:
        if count > self.max_docs:
            raise TooLargeError(
                f"this _bulk_docs holds {count:,} documents; at most {self.max_docs:,} are "
                "taken at once: replicate with a smaller batch_size (PouchDB's default, 100, "
                "fits) or split the list into requests of at most "
                f"{self.max_docs:,} documents")


class RefusalRecorder(Protocol):
    """Keeps the server's record of refused writes (sync/refusals.py); it never raises."""

    def settle(self, db_name: str, owner: str, sent: Iterable[object],
               refused: Sequence[dict[str, Any]], stored_ids: Iterable[str]) -> None: ...


@dataclass
class Gateway:
    """Answers one request against one physical database the caller was allowed."""

    upstream: Upstream
    hub: ChangeHub
    check: StructureCheck
    marks: Marks  # the database is marked dirty for the worker around every write
    batch: BatchLimits
    feeds: FeedSlots
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    refusals: RefusalRecorder | None = None
    frozen: FrozenLookup | None = None  # signed and accepted documents a phone may not change

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
            self._create(db.name)
            status, info = self.upstream.json("GET", path_of(db.name))
        return self._relay_json(status, info)

    def _create(self, name: str) -> None:
        """Create a database the way the store adapter does: readable by the store admin only."""
        created, _ = self.upstream.json("PUT", path_of(name))
        if created in (201, 202):
            security = admin_only_security(self.upstream.username)
            self.upstream.json("PUT", path_of(name, "_security"), body=codec.dumps(security))

    def local(self, db: PhysicalDb, local_id: str, req: Incoming) -> Outgoing:
        _allow(req, "GET", "PUT", "DELETE")
        where, key = db.local_location(local_id)
        body = None
        if req.method == "PUT":
            doc = read_json(req.body, dict)
            doc["_id"] = f"_local/{key}"
            body = codec.dumps(doc)
        params = {"rev": req.args["rev"]} if "rev" in req.args else None
        status, answer = self.upstream.json(req.method, path_of(where, "_local", key),
                                            body=body, params=params)
        if isinstance(answer, dict):  # the phone sees the id it wrote, not where it is kept
            for field_name in ("_id", "id"):
                if answer.get(field_name) == f"_local/{key}":
                    answer[field_name] = f"_local/{local_id}"
        return self._relay_json(status, answer)

    def special(self, db: PhysicalDb, name: str, owner: str, req: Incoming) -> Outgoing:
        if name == "_changes":
            _allow(req, "GET", "POST")
            return self.changes(db, owner, req)
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

    def changes(self, db: PhysicalDb, owner: str, req: Incoming) -> Outgoing:
        query = parse_query(req.args, read_json(req.body, dict) if req.body else None)
        feed = ChangesFeed(self.upstream, self.hub, db.name)
        give_back = self.feeds.take(owner) if query.longpoll else _nothing
        try:
            page, generation = feed.start(query)
        except BaseException:
            give_back()
            raise
        if generation is None:
            give_back()
            return as_json(200, page)
        # A live feed's heartbeats must reach the phone as they are written: no proxy or
        # compressor may hold them back.
        return Outgoing(200, Releasing(feed.wait(query, page, generation), give_back),
                        headers={"X-Accel-Buffering": "no"})

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
        self.batch.check_bytes(len(req.body))
        body = read_json(req.body, dict)
        if not isinstance(body.get("docs"), list):
            raise BadRequestError("_bulk_docs wants {\"docs\": [...]}")
        self.batch.check_docs(len(body["docs"]))
        new_edits = body.get("new_edits", True)
        if not isinstance(new_edits, bool):
            raise BadRequestError("new_edits must be true or false")
        screened = self._screen(db.name, body["docs"], owner, _worth_measuring(req.body))
        results: list[Any] = []
        if screened.accepted:
            self.marks.before(db.name)
            try:
                status, stored = self.upstream.json(
                    "POST", path_of(db.name, "_bulk_docs"),
                    body=codec.dumps({"docs": screened.accepted, "new_edits": new_edits}))
            finally:
                self._written(db.name)  # even after an error: the store may have taken some
            if status not in (200, 201):
                return self._relay_json(status, stored)
            results = list(stored)
        self._settle(db.name, owner, body["docs"], screened.refused, screened.accepted, results)
        return as_json(201, results + screened.refused)

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
            _check_attachments(doc, self.max_attachment_bytes)
        screened = self._screen(db.name, [doc], owner, True)
        if screened.refused:
            self._settle(db.name, owner, [doc], screened.refused, [], [])
            raise ForbiddenError(screened.refused[0]["reason"])
        self.marks.before(db.name)
        try:
            status, answer = self.upstream.json("PUT", path_of(db.name, doc_id),
                                                body=codec.dumps(doc))
        finally:
            self._written(db.name)
        if status in (200, 201, 202):
            self._settle(db.name, owner, [], [], [doc], [])
        return self._relay_json(status, answer)

    def attachment(self, db: PhysicalDb, target: Target, req: Incoming) -> Outgoing:
        if req.method not in ("GET", "HEAD"):
            raise ForbiddenError("attachments are written inside their document (_bulk_docs)")
        params = {"rev": req.args["rev"]} if "rev" in req.args else None
        response = self.upstream.request("GET", path_of(db.name, target.name, target.attachment),
                                         params=params, stream=True, headers={"Accept": "*/*"})
        kind = response.headers.get("Content-Type", "application/octet-stream")
        # Bytes a phone sent, on the web app's origin: never rendered as a page by a browser.
        return Outgoing(response.status_code, stream_body(response), kind,
                        {"X-Content-Type-Options": "nosniff",
                         "Content-Disposition": "attachment"})

    def _screen(self, db: str, docs: list[Any], owner: str, measure_size: bool) -> Screened:
        """Structural checks, then what is frozen: one SQL lookup for the documents left."""
        screened = screen(docs, owner=owner, measure_size=measure_size, check=self.check)
        if self.frozen is None or not screened.accepted:
            return screened
        try:
            frozen = self.frozen.lookup(db, [d["_id"] for d in screened.accepted])
        except SQLAlchemyError:
            # Unchecked, a change of a signed document would reach the store: refuse the push
            # (the phone retries it) rather than let it through.
            raise UpstreamError("the server cannot check signed documents just now, so "
                                "nothing was stored; the phone retries") from None
        return screen_frozen(screened, frozen)

    def _settle(self, db: str, owner: str, sent: list[Any], refused: list[dict[str, Any]],
                accepted: list[dict[str, Any]], results: list[Any]) -> None:
        """Refusals are recorded for the office; a stored later write of a document closes its."""
        if self.refusals is None:
            return
        failed = {r.get("id") for r in results if isinstance(r, dict) and "error" in r}
        stored = [d["_id"] for d in accepted if d["_id"] not in failed]
        self.refusals.settle(db, owner, sent, refused, stored)

    def _written(self, db: str) -> None:
        self.marks.after(db)
        self.hub.notify(db)

    def _relay_json(self, status: int, payload: Any) -> Outgoing:
        if status == 404:
            reason = payload.get("reason", "missing") if isinstance(payload, dict) else "missing"
            raise NotFoundError(str(reason))
        if status >= 500:
            raise UpstreamError("the document store failed; try again")
        return as_json(status, payload)


def _worth_measuring(raw: bytes) -> bool:
    """Measure each document only when the request is large enough to hold a big one.

    Re-encoding every document just to measure it costs a fifth of the gateway's time on a
    push. A document in a small request cannot be over the limit (the measured part is never
    larger than its share of the request, bar number spellings like `1e9` that phones, writing
    JSON.stringify's output, never send), and the worker applies the same rule to every document
    (sync/documents/size.py), rejecting with a receipt whatever slipped through.
    """
    return len(raw) * 2 > MAX_DOCUMENT_BYTES


def _nothing() -> None:
    return None


class Releasing:
    """A response body that runs `release` once when it ends, fails or is closed unread."""

    def __init__(self, chunks: Iterator[bytes], release: Callable[[], None]) -> None:
        self._chunks = chunks
        self._release = release

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        finally:
            self._release()

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            self._release()


def _check_attachments(doc: dict[str, Any], max_bytes: int) -> None:
    """A lone document's unusable attachment is a bad request (in a batch: that doc's refusal)."""
    problems = check_attachments(doc.get("_attachments"), max_bytes)
    if problems:
        raise BadRequestError("; ".join(p.message for p in problems))


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
