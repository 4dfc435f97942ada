"""The composition root: builds every FieldSync service from one Settings object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.service import AccountService
from server.config import Settings
from server.sql.session import make_engine, make_session_factory
from sync.store import CouchStore, DocumentStore

if TYPE_CHECKING:
    from conflict.service import ConflictService
    from erp_bridge.admin import ErpAdmin
    from erp_bridge.cancellations import CancellationSender
    from erp_bridge.drain import OutboxDrainer
    from erp_bridge.master_pull import MasterDataPuller
    from server.importing.jobs import ImportJobs
    from server.sales.fieldwork import FieldworkQueries
    from server.sales.queries import SalesQueries
    from server.sales.service import HeadActions
    from sync.frozen_lookup import FrozenDocuments
    from sync.gateway.handlers import Gateway
    from sync.gateway.upstream import Upstream
    from sync.gateway.writes import StructureCheck
    from sync.leases import Ownership
    from sync.worker import Worker


class ConfigurationError(RuntimeError):
    """Settings that cannot work together, explained for the operator."""


@dataclass(frozen=True)
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
        from sync.frozen_lookup import FrozenDocuments

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

    # The ERP bridge: built on first use, each with an adapter of its own (the scheduler runs
    # the drain, the pull and the cancellations on separate threads).

    @cached_property
    def erp_admin(self) -> ErpAdmin:
        """The outbox and dead-letter lists, retries and health the admin console uses."""
        from erp_bridge.admin import ErpAdmin
        from server.audit.recorder import record

        return ErpAdmin(self.sessions, self.settings.erp_kind.strip().lower(), audit=record)

    @cached_property
    def erp_drainer(self) -> OutboxDrainer:
        """Sends the outbox to the configured ERP and writes the phones' receipts."""
        from erp_bridge.adapters import adapter_from_settings
        from erp_bridge.drain import OutboxDrainer
        from server.audit.recorder import record

        return OutboxDrainer(self.sessions, adapter_from_settings(self.settings), self.store,
                             self.settings, audit=record)

    @cached_property
    def erp_puller(self) -> MasterDataPuller:
        """Pulls customers, products and prices from the ERP and publishes them to phones."""
        from erp_bridge.adapters import adapter_from_settings
        from erp_bridge.master_codes import MasterCodes
        from erp_bridge.master_pull import MasterDataPuller
        from server.audit.recorder import record
        from sync.publish import MasterDataPublisher

        publisher = MasterDataPublisher(self.store, self.sessions, self.settings.db_prefix)
        return MasterDataPuller(self.sessions, adapter_from_settings(self.settings), publisher,
                                self.settings.company_state,
                                codes=MasterCodes.from_settings(self.settings), audit=record)

    @cached_property
    def erp_cancellations(self) -> CancellationSender:
        """Sends approved order cancellations to the ERP that accepted the order."""
        from erp_bridge.adapters import adapter_from_settings
        from erp_bridge.cancellations import CancellationSender
        from server.audit.recorder import record
        from server.sales.cancellations import enqueue_cancellations

        return CancellationSender(self.sessions, adapter_from_settings(self.settings),
                                  self.settings, audit=record,
                                  enqueue_approved=partial(enqueue_cancellations, self.sessions))

    # The conflict engine.

    @cached_property
    def conflicts(self) -> ConflictService:
        """Settles conflicted documents (the worker) and serves the admin queue (the API)."""
        from conflict.service import ConflictService
        from conflict.store import CouchRevisionStore
        from server.audit.recorder import record

        return ConflictService(CouchRevisionStore(self.store), self.sessions, audit=record)

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

    # The sync worker and gateway -----------------------------------------------------------

    def worker(self, *, write_receipts: bool = True, ownership: Ownership | None = None
               ) -> Worker:
        """A sync worker wired to its hooks (see `build_worker`)."""
        return build_worker(self, write_receipts=write_receipts, ownership=ownership)

    @cached_property
    def upstream(self) -> Upstream:
        """The gateway's pooled HTTP client to the store, at the address the store gives."""
        from sync.gateway.upstream import Upstream

        address = self.store.address
        return Upstream(address.url, address.auth)

    def gateway(self, check: StructureCheck | None = None) -> Gateway:
        """The sync gateway: refusals recorded in SQL and the audit trail, frozen documents
        looked up in SQL, writes relayed through `upstream`."""
        from server.audit.recorder import record
        from sync.gateway.web import build_gateway
        from sync.refusals import RefusalLog

        return build_gateway(self.settings, self.sessions, self.upstream, frozen=self.frozen,
                             refusals=RefusalLog(self.sessions, record), check=check)

    def close(self) -> None:
        self.engine.dispose()


def build_worker(services: Services, *, write_receipts: bool = True,
                 ownership: Ownership | None = None) -> Worker:
    """The sync worker with its hooks: conflicts settled after each commit, accepted orders
    queued for the ERP in the batch's transaction, receipts that carry how a conflict was merged
    and the ERP's part, refusals and order edits in the audit trail. Leased partitions unless
    `ownership` says otherwise (FIELDSYNC_WORKER_SHARD fixes a split instead)."""
    from erp_bridge.outbox import erp_receipt_enricher
    from server.audit.recorder import record
    from sync.conflict_hook import ConflictHook
    from sync.erp_hook import OrderOutboxHook
    from sync.leases import ownership_for
    from sync.worker import Worker, WorkerHooks

    settings, sessions, store = services.settings, services.sessions, services.store
    conflicts = ConflictHook(services.conflicts, sessions)
    hooks = WorkerHooks(conflicts=conflicts, after_accept=[OrderOutboxHook(settings)],
                        receipt_enrichers=[conflicts.receipt_overrides, erp_receipt_enricher])
    return Worker(settings, sessions, store, hooks=hooks, audit=record,
                  ownership=ownership or ownership_for(settings, sessions),
                  write_receipts=write_receipts)


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
