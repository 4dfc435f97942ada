"""APScheduler wiring: the outbox drain and the master-data pull, for `fieldsync scheduler`."""

from __future__ import annotations

import logging
from typing import Any

from erp_bridge.adapters import adapter_from_settings
from erp_bridge.drain import OutboxDrainer
from erp_bridge.master_codes import MasterCodes
from erp_bridge.master_pull import MasterDataPuller
from server.bootstrap import Services
from sync.publish import MasterDataPublisher

log = logging.getLogger("fieldsync.erp.jobs")


def build_drainer(services: Services) -> OutboxDrainer:
    settings = services.settings
    return OutboxDrainer(services.sessions, adapter_from_settings(settings), services.store,
                         settings)


def build_puller(services: Services) -> MasterDataPuller:
    settings = services.settings
    publisher = MasterDataPublisher(services.store, services.sessions, settings.db_prefix)
    return MasterDataPuller(services.sessions, adapter_from_settings(settings), publisher,
                            settings.company_state, codes=MasterCodes.from_settings(settings))


def schedule_erp_jobs(scheduler: Any, services: Services) -> None:
    """Adds the drain and the pull; one run of each at a time per process.

    Several scheduler processes may run these at once: the drain claims rows in SQL and the
    pull's upserts are idempotent.
    """
    settings = services.settings
    drainer = build_drainer(services)
    scheduler.add_job(_drain, "interval", args=[drainer], id="erp_outbox_drain",
                      seconds=settings.erp_drain_interval_s, max_instances=1, coalesce=True,
                      replace_existing=True)
    if settings.erp_kind.strip().lower() == "null":
        log.info("event=erp_jobs kind=null: orders stay not sent, no master-data pull")
        return
    puller = build_puller(services)
    scheduler.add_job(_pull, "interval", args=[puller], id="erp_master_pull",
                      seconds=settings.erp_pull_interval_s, max_instances=1, coalesce=True,
                      replace_existing=True)


def _drain(drainer: OutboxDrainer) -> None:
    report = drainer.drain_once()
    if report.claimed or report.receipts:
        log.info("event=erp_drain claimed=%d accepted=%d retried=%d dead=%d receipts=%d",
                 report.claimed, report.accepted, report.retried, report.dead, report.receipts)


def _pull(puller: MasterDataPuller) -> None:
    report = puller.pull()
    log.info("event=erp_master_pull customers=%d products=%d prices=%d incomplete=%d error=%s",
             report.customers, report.products, report.prices, len(report.problems),
             report.error or "-")
