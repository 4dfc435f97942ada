"""Engineer databases: creating them in the store and SQL; sync/db_names.py names them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.sync_state import EngineerDatabase
from server.sql.session import transaction
from sync.db_names import (  # noqa: F401  (the names are provisioning's public API too)
    USERNAME_PATTERN,
    ProvisioningError,
    allowed_customers_db_name,
    catalog_db_name,
    customers_db_name,
    engineer_db_name,
)
from sync.store import DocumentStore, NotFoundError


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
