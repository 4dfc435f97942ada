"""The document store adapter: a small Protocol and its CouchDB/Cloudant implementation."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from ibm_cloud_sdk_core import ApiException
from ibm_cloud_sdk_core.authenticators import BasicAuthenticator, NoAuthAuthenticator
from ibmcloudant.cloudant_v1 import BulkGetQueryDocument, CloudantV1
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import Timeout as RequestsTimeout

Doc = dict[str, Any]
T = TypeVar("T")


class StoreError(Exception):
    """A store request failed."""


class TransientStoreError(StoreError):
    """The store could not be reached or was overloaded: try again later (no sooner than
    `retry_after_s` when the store said so, as Cloudant does with 429 and `Retry-After`)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class TerminalStoreError(StoreError):
    """The store answered that the request itself is wrong; retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class NotFoundError(TerminalStoreError):
    """The database or document does not exist."""


@dataclass(frozen=True)
class ChangesPage:
    """One page of a `_changes` feed; `last_seq` is opaque (an int here, a string on CouchDB 3)."""

    results: list[Doc]
    last_seq: str


@dataclass(frozen=True)
class DbUpdates:
    """Databases that changed, and where to ask from next time (opaque)."""

    db_names: list[str]
    last_seq: str


@dataclass(frozen=True)
class StoreAddress:
    """Where a store answers and the credentials it takes (None: none), for whatever speaks
    its HTTP protocol directly: the sync gateway relays phones' requests to this address."""

    url: str
    auth: tuple[str, str] | None = None


class DocumentStore(Protocol):
    """What FieldSync needs from a CouchDB-compatible store."""

    url: str

    @property
    def address(self) -> StoreAddress: ...

    def ping(self) -> bool: ...
    def server_info(self) -> Doc: ...
    def db_updates(self, since: str = "now") -> DbUpdates | None: ...
    def all_dbs(self) -> list[str]: ...
    def ensure_db(self, db: str) -> bool: ...
    def delete_db(self, db: str) -> None: ...
    def db_info(self, db: str) -> Doc: ...
    def changes(self, db: str, since: str = "0", limit: int | None = None, *,
                include_docs: bool = True, conflicts: bool = False) -> ChangesPage: ...
    def bulk_docs(self, db: str, docs: Sequence[Doc], *, new_edits: bool = True) -> list[Doc]: ...
    def all_docs(self, db: str, keys: Sequence[str] | None = None, *,
                 include_docs: bool = False) -> list[Doc]: ...
    def get_doc(self, db: str, doc_id: str, **params: Any) -> Doc: ...
    def bulk_get(self, db: str, refs: Sequence[tuple[str, str | None]]) -> list[Doc]: ...
    def put_doc(self, db: str, doc: Doc) -> Doc: ...
    def open_revs(self, db: str, doc_id: str) -> list[Doc]: ...
    def get_local(self, db: str, name: str) -> Doc | None: ...
    def put_local(self, db: str, name: str, body: Doc) -> None: ...


def _serialise(payload: Any) -> io.BytesIO:
    # Raw JSON bytes skip the SDK's model conversion, which costs more than the request.
    return io.BytesIO(json.dumps(payload, separators=(",", ":")).encode())


def _retry_after(exc: ApiException) -> float | None:
    """Seconds from a `Retry-After` header (the HTTP-date form is not used by CouchDB stores)."""
    response = getattr(exc, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def describe(exc: StoreError, url: str) -> str:
    """What an operator should check when the configured store refuses FieldSync."""
    status = getattr(exc, "status", None)
    if status in (401, 403):
        return (f"The document store at {url} refused FieldSync's credentials ({status}): check "
                "FIELDSYNC_STORE_USERNAME and FIELDSYNC_STORE_PASSWORD (a server admin).")
    if status == 404:
        return (f"The document store at {url} has no CouchDB server at that address (404): "
                "FIELDSYNC_STORE_URL must name the server, not a database.")
    if isinstance(exc, TransientStoreError):
        return f"The document store at {url} did not answer ({exc}): is it running and reachable?"
    return f"The document store at {url} refused the request: {exc}"


def _call(fn: Callable[[], T]) -> T:
    """Run one SDK call and sort its failure into transient or terminal."""
    try:
        return fn()
    except ApiException as exc:
        if exc.status_code in (404,):
            raise NotFoundError(exc.status_code, str(exc.message)) from exc
        if exc.status_code in (408, 429) or exc.status_code >= 500 or exc.status_code == 0:
            raise TransientStoreError(f"{exc.status_code}: {exc.message}",
                                      _retry_after(exc)) from exc
        raise TerminalStoreError(exc.status_code, str(exc.message)) from exc
    except (RequestsConnectionError, RequestsTimeout, OSError) as exc:
        raise TransientStoreError(str(exc)) from exc


class CouchStore:
    """CouchDB 3, Cloudant or the embedded PouchDB Server, reached with admin credentials."""

    def __init__(self, url: str, username: str = "", password: str = "",
                 timeout_s: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        auth = BasicAuthenticator(username, password) if username else NoAuthAuthenticator()
        self.client = CloudantV1(authenticator=auth)
        self.client.set_service_url(self.url)
        # Gzip bodies make the embedded store return attachments gzipped (store notes).
        self.client.set_enable_gzip_compression(False)
        self.client.set_http_config({"timeout": timeout_s})

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    @property
    def address(self) -> StoreAddress:
        return StoreAddress(self.url, self.auth)

    def ping(self) -> bool:
        try:
            _call(lambda: self.client.get_server_information())
        except StoreError:
            return False
        return True

    def server_info(self) -> Doc:
        """`GET /`: CouchDB and Cloudant answer `couchdb`, PouchDB Server `express-pouchdb`."""
        return dict(_call(lambda: self.client.get_server_information()).get_result())

    def db_updates(self, since: str = "now") -> DbUpdates | None:
        """Databases changed since `since` (`_db_updates`, CouchDB 3 and Cloudant); None where
        the store does not offer it (PouchDB Server answers 400)."""
        request = self.client.prepare_request(
            "GET", "/_db_updates", headers={"Accept": "application/json"},
            params={"feed": "normal", "since": since})
        try:
            result = _call(lambda: self.client.send(request)).get_result()
        except TerminalStoreError as exc:
            if exc.status in (400, 404, 405, 501):
                return None
            raise
        names = [str(r["db_name"]) for r in result.get("results", []) if "db_name" in r]
        return DbUpdates(names, str(result.get("last_seq", since)))

    def all_dbs(self) -> list[str]:
        return list(_call(lambda: self.client.get_all_dbs()).get_result())

    def ensure_db(self, db: str) -> bool:
        """Create the database, readable only by the store admin, if missing; True when created.

        The `_security` object is set at creation: a store that would serve a database without
        one to anyone (CouchDB 2, PouchDB Server) then refuses everyone but its admin.
        """
        try:
            _call(lambda: self.client.put_database(db))
        except TerminalStoreError as exc:
            if exc.status == 412:
                return False
            raise
        self.put_security_admin_only(db)
        return True

    def delete_db(self, db: str) -> None:
        with contextlib.suppress(NotFoundError):
            _call(lambda: self.client.delete_database(db))

    def db_info(self, db: str) -> Doc:
        return dict(_call(lambda: self.client.get_database_information(db)).get_result())

    def changes(self, db: str, since: str = "0", limit: int | None = None, *,
                include_docs: bool = True, conflicts: bool = False) -> ChangesPage:
        result = _call(lambda: self.client.post_changes(
            db, since=str(since), limit=limit, include_docs=include_docs,
            conflicts=conflicts or None, style="all_docs")).get_result()
        return ChangesPage(list(result.get("results", [])), str(result.get("last_seq", since)))

    def bulk_docs(self, db: str, docs: Sequence[Doc], *, new_edits: bool = True) -> list[Doc]:
        if not docs:
            return []
        body: Doc = {"docs": list(docs)}
        if not new_edits:
            body["new_edits"] = False
        return list(_call(lambda: self.client.post_bulk_docs(db, _serialise(body))).get_result())

    def all_docs(self, db: str, keys: Sequence[str] | None = None, *,
                 include_docs: bool = False) -> list[Doc]:
        result = _call(lambda: self.client.post_all_docs(
            db, keys=list(keys) if keys is not None else None,
            include_docs=include_docs)).get_result()
        return list(result.get("rows", []))

    def get_doc(self, db: str, doc_id: str, **params: Any) -> Doc:
        return dict(_call(lambda: self.client.get_document(db, doc_id, **params)).get_result())

    def bulk_get(self, db: str, refs: Sequence[tuple[str, str | None]]) -> list[Doc]:
        query = [BulkGetQueryDocument(id=i, rev=r) if r else BulkGetQueryDocument(id=i)
                 for i, r in refs]
        result = _call(lambda: self.client.post_bulk_get(db, query, revs=True)).get_result()
        return list(result.get("results", []))

    def put_doc(self, db: str, doc: Doc) -> Doc:
        return dict(_call(lambda: self.client.put_document(
            db, doc["_id"], _serialise(doc), content_type="application/json")).get_result())

    def open_revs(self, db: str, doc_id: str) -> list[Doc]:
        """Every leaf revision with `_revisions`, deleted leaves included; [] if unknown.

        `open_revs=all` is the only request that shows deleted leaves on every store
        (the embedded one ignores `deleted_conflicts`).
        """
        client = self.client
        request = client.prepare_request(
            "GET", f"/{quote(db, safe='')}/{quote(doc_id, safe='')}",
            headers={"Accept": "application/json"},
            params={"open_revs": "all", "revs": "true"})
        try:
            rows = _call(lambda: client.send(request)).get_result()
        except NotFoundError:
            return []
        return [dict(row["ok"]) for row in rows if "ok" in row]

    def get_local(self, db: str, name: str) -> Doc | None:
        """A `_local` document (never replicated, never compacted away); None if absent."""
        try:
            return dict(_call(lambda: self.client.get_local_document(
                db, name, accept="application/json")).get_result())
        except NotFoundError:
            return None

    def put_local(self, db: str, name: str, body: Doc) -> None:
        """Create or replace a `_local` document."""
        for _ in range(3):  # another writer may replace it between our read and write
            current = self.get_local(db, name)
            doc = {**body, "_id": f"_local/{name}"}
            if current is not None:
                doc["_rev"] = current["_rev"]
            try:
                _call(lambda d=doc: self.client.put_local_document(  # type: ignore[misc]
                    db, name, _serialise(d), content_type="application/json"))
                return
            except TerminalStoreError as exc:
                if exc.status != 409:
                    raise
        raise TerminalStoreError(409, f"_local/{name} keeps changing")

    def put_security_admin_only(self, db: str) -> None:
        """Only the store admin may read or write: devices reach data through the gateway."""
        security = admin_only_security(self.username)
        _call(lambda: self.client.put_security(db, admins=security["admins"],
                                               members=security["members"]))


def admin_only_security(username: str) -> Doc:
    """A database's `_security` object naming only the store admin as admin and member."""
    who = {"names": [username] if username else [], "roles": ["_admin"]}
    return {"admins": who, "members": dict(who)}


def chunks(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
