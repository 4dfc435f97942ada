"""Which logical database and resource a gateway path names, and who may use it (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from sync.db_names import (
    allowed_customers_db_name,
    catalog_db_name,
    customers_db_name,
    engineer_db_name,
)
from sync.gateway.errors import BadRequestError, ForbiddenError, NotFoundError

ME, CATALOG, CUSTOMERS = "me", "catalog", "customers"
LOGICAL_DBS = (ME, CATALOG, CUSTOMERS)
ENGINEER = "engineer"

# CouchDB accepts nearly any string; phones need far less, and every id we accept must be
# harmless inside a URL path once percent-encoded (no '/', no leading '_' or '.').
DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@+=-]{0,199}$")
LOCAL_ID = re.compile(r"^[A-Za-z0-9_.=+-]{1,200}$")
ATTACHMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SPECIAL = {"_changes", "_revs_diff", "_bulk_docs", "_bulk_get", "_all_docs", "_ensure_full_commit"}


class Kind(Enum):
    """What a path names inside a logical database."""

    DB = "db"
    SPECIAL = "special"
    LOCAL = "local"
    DOC = "doc"
    ATTACHMENT = "attachment"


@dataclass(frozen=True)
class Target:
    """A parsed gateway path: logical db, what inside it, and the ids (already checked)."""

    logical: str
    kind: Kind
    name: str = ""  # the special endpoint, local id or document id
    attachment: str = ""


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as routing cares."""

    username: str
    role: str
    territory: str | None
    extra_territories: tuple[str, ...] = ()  # allowed by an admin besides `territory`


@dataclass(frozen=True)
class PhysicalDb:
    """A store database the caller may reach, whether documents may be written to it, and the
    caller's own database, which holds every `_local` document (checkpoint) the caller writes."""

    name: str
    writable: bool
    own: str = ""

    def local_location(self, local_id: str) -> tuple[str, str]:
        """The database and id of one of the caller's `_local` documents for this database.

        The shared catalog and customers databases are read by every phone, so a checkpoint
        kept there could be read or deleted by another engineer: it goes to the caller's own
        database, its id qualified by the shared database's name (':' never appears in a
        phone's local id, so it cannot clash). A territory change then starts afresh.
        """
        own = self.own or self.name
        return (own, local_id) if own == self.name else (own, f"{self.name}:{local_id}")


def check_doc_id(doc_id: object) -> str:
    if not isinstance(doc_id, str) or not doc_id:
        raise BadRequestError("a document needs a non-empty string _id")
    if doc_id.startswith("_design/"):
        raise ForbiddenError("design documents cannot be written or read through the gateway")
    if not DOC_ID.match(doc_id) or ".." in doc_id:
        raise BadRequestError(
            f"document id {doc_id[:80]!r} is not allowed: use letters, digits and _ . : @ + = -"
            " (at most 200), starting with a letter or digit")
    return doc_id


def parse_path(path: str) -> Target:
    """Split `<logical db>[/...]` (percent-decoded) into a checked Target."""
    parts = path.split("/")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]  # one trailing slash, as in `GET /sync/me/`
    logical, rest = parts[0], parts[1:]
    if logical not in LOGICAL_DBS:
        raise NotFoundError(
            f"there is no database {logical[:40]!r} here: phones use me, catalog or customers")
    if not rest:
        return Target(logical, Kind.DB)
    return _inside(logical, rest)


def _inside(logical: str, rest: list[str]) -> Target:
    head = rest[0]
    if head == "_local" and len(rest) == 2:
        if not LOCAL_ID.match(rest[1]):
            raise BadRequestError(f"local document id {rest[1][:80]!r} is not allowed")
        return Target(logical, Kind.LOCAL, rest[1])
    if len(rest) == 1 and head in SPECIAL:
        return Target(logical, Kind.SPECIAL, head)
    if head == "_design":
        raise ForbiddenError("design documents cannot be written or read through the gateway")
    if head.startswith("_"):
        raise NotFoundError(f"{head[:40]!r} is not available through the gateway")
    doc_id = check_doc_id(head)
    if len(rest) == 1:
        return Target(logical, Kind.DOC, doc_id)
    name = "/".join(rest[1:])
    if len(rest) > 2 or not ATTACHMENT.match(name) or ".." in name:
        raise BadRequestError(f"attachment name {name[:80]!r} is not allowed")
    return Target(logical, Kind.ATTACHMENT, doc_id, name)


def physical_db(caller: Caller, logical: str, prefix: str) -> PhysicalDb:
    """The store database behind a logical name for this caller; the names never come from it."""
    if caller.role != ENGINEER:
        raise ForbiddenError(
            f"{caller.username} is a {caller.role}: only engineers have phone databases")
    own = engineer_db_name(prefix, caller.username)
    if logical == ME:
        return PhysicalDb(own, writable=True, own=own)
    if logical == CATALOG:
        return PhysicalDb(catalog_db_name(prefix), writable=False, own=own)
    if not caller.territory:
        raise ForbiddenError(
            f"{caller.username} has no territory yet: ask an admin to assign one")
    if caller.extra_territories:  # published for this engineer: every allowed territory's
        return PhysicalDb(allowed_customers_db_name(prefix, caller.username), writable=False,
                          own=own)
    return PhysicalDb(customers_db_name(prefix, caller.territory), writable=False, own=own)
