"""Engineer databases: their names, and creating them in the store and SQL (idempotent)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.sync_state import EngineerDatabase
from server.sql.session import transaction
from sync.store import DocumentStore, NotFoundError

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class ProvisioningError(ValueError):
    """A username that cannot name a database."""


def engineer_db_name(prefix: str, username: str) -> str:
    """The store database of one engineer: `<prefix>eng-<username>`."""
    if not USERNAME_PATTERN.match(username):
        raise ProvisioningError(
            f"username {username!r} must be 2-40 characters: a lowercase letter, then lowercase "
            "letters, digits, '_' or '-'"
        )
    return f"{prefix}eng-{username}"


def catalog_db_name(prefix: str) -> str:
    """Products and price lists, read-only for every phone."""
    return f"{prefix}catalog"


def customers_db_name(prefix: str, territory_code: str) -> str:
    """The customers of one territory, read-only for the phones of that territory."""
    return f"{prefix}customers-{territory_code.lower()}"


def allowed_customers_db_name(prefix: str, username: str) -> str:
    """The customers of an engineer's own and extra territories, for an engineer an admin
    allowed other territories ('_' never appears in a territory code: no clash)."""
    return f"{prefix}customers_for_{engineer_db_name('', username).removeprefix('eng-')}"


def provision_engineer(store: DocumentStore, sessions: sessionmaker[Session], prefix: str,
                       username: str) -> str:
    """Create the engineer's database and record it; safe to call again."""
    db_name = engineer_db_name(prefix, username)
    store.ensure_db(db_name)
    with transaction(sessions) as session:
        known = session.scalar(select(EngineerDatabase).where(EngineerDatabase.db_name == db_name))
        if known is None:
            session.add(EngineerDatabase(db_name=db_name, username=username))
    return db_name


def engineer_databases(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(EngineerDatabase.db_name).order_by(
            EngineerDatabase.db_name)))


# A fresh single-node CouchDB 3 lacks these until someone creates them, and logs errors on every
# request without them; `_db_updates` needs `_global_changes`.
SYSTEM_DATABASES = ("_users", "_replicator")
COUCHDB_ONLY = ("_global_changes",)
ASF = "The Apache Software Foundation"


def is_apache_couchdb(info: dict[str, Any]) -> bool:
    """From `GET /`: Apache CouchDB names itself `couchdb` with the ASF as vendor (or none);
    Cloudant names IBM, PouchDB Server answers `express-pouchdb`."""
    vendor = info.get("vendor") or {}
    return "couchdb" in info and vendor.get("name", ASF) == ASF


def ensure_system_databases(store: DocumentStore) -> list[str]:
    """Create the store's system databases that are missing; the ones created now.

    Stores that keep them themselves (PouchDB Server has `_users` and `_replicator`, Cloudant
    all of them) already answer for them, so this reads first and creates nothing there;
    `_global_changes` only means something to Apache CouchDB."""
    wanted = list(SYSTEM_DATABASES)
    if is_apache_couchdb(store.server_info()):
        wanted += COUCHDB_ONLY
    created = []
    for name in wanted:
        try:
            store.db_info(name)
        except NotFoundError:
            if store.ensure_db(name):
                created.append(name)
    return created
