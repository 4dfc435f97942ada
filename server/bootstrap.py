"""The composition root: builds every FieldSync service from one Settings object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.service import AccountService
from server.config import Settings
from server.sql.session import make_engine, make_session_factory
from sync.store import CouchStore, DocumentStore

if TYPE_CHECKING:
    from server.importing.jobs import ImportJobs
    from server.sales.fieldwork import FieldworkQueries
    from server.sales.frozen import FrozenDocuments
    from server.sales.queries import SalesQueries
    from server.sales.service import HeadActions


class ConfigurationError(RuntimeError):
    """Settings that cannot work together, explained for the operator."""


@dataclass
class Services:
    """The built services; the app factory, worker, scheduler and CLI each take one of these."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: DocumentStore

    @cached_property
    def accounts(self) -> AccountService:
        """Sign-in and token checks (built on first use: it may create the token secret)."""
        return AccountService.from_settings(self.settings, self.sessions)

    @cached_property
    def frozen(self) -> FrozenDocuments:
        """Which signed offers, approvals and orders a phone may no longer change (gateway)."""
        from server.sales.frozen import FrozenDocuments

        return FrozenDocuments(self.sessions)

    @cached_property
    def imports(self) -> ImportJobs:
        """Master-data import jobs: queued by the API, run by the scheduler."""
        # Imported on first use: only the processes that import need openpyxl and the catalog.
        from server.importing.jobs import ImportJobs
        from server.importing.limits import ImportLimits
        from server.importing.service import Importer
        from server.sales.catalog import CatalogService
        from sync.publish import MasterDataPublisher

        def importer() -> Importer:
            publisher = MasterDataPublisher(self.store, self.sessions, self.settings.db_prefix)
            return Importer(self.sessions, CatalogService(self.sessions, publisher), limits)

        limits = ImportLimits.from_settings(self.settings)
        return ImportJobs(self.sessions, limits, importer)

    # Sales: what heads and admins do to engineers' documents, and what the API reads of them.
    @cached_property
    def sales(self) -> HeadActions:
        """Head decisions, lead moves, reimbursements and cancellation decisions."""
        from server.sales.service import HeadActions

        return HeadActions(self.store, self.sessions)

    @cached_property
    def sales_queries(self) -> SalesQueries:
        """Read models of offers, orders, leads and the head's approval queues."""
        from server.sales.queries import SalesQueries

        return SalesQueries(self.sessions, self.store, self.settings)

    @cached_property
    def fieldwork(self) -> FieldworkQueries:
        """Read models of visits, expenses, to-dos and documents' attachments."""
        from server.sales.fieldwork import FieldworkQueries

        return FieldworkQueries(self.sessions, self.store)

    def close(self) -> None:
        self.engine.dispose()


def store_from_settings(settings: Settings) -> CouchStore:
    """The configured external store, or the embedded one `fieldsync run` announced in var/."""
    if settings.store_url:
        return CouchStore(settings.store_url, settings.store_username, settings.store_password)
    announced = settings.var_dir / "store" / "endpoint.json"
    if announced.exists():
        endpoint = json.loads(announced.read_text())
        return CouchStore(endpoint["url"], endpoint["username"], endpoint["password"])
    raise ConfigurationError(
        "No document store: start everything with `fieldsync run` (it starts the embedded "
        "store), or set FIELDSYNC_STORE_URL (and _USERNAME/_PASSWORD) to a CouchDB/Cloudant."
    )


def bootstrap(settings: Settings, *, store: DocumentStore | None = None) -> Services:
    engine = make_engine(settings.sqlalchemy_url)
    return Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        store=store or store_from_settings(settings),
    )
