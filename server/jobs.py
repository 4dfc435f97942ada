"""The scheduler process: APScheduler jobs for the ERP outbox, master data, sweeps and rollups."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from erp_bridge.drain import OutboxDrainer
from erp_bridge.master_pull import MasterDataPuller
from server.bootstrap import Services
from server.importing.jobs import ImportJobRunner
from server.reports.jobs import schedule_report_jobs
from sync.publish import MasterDataPublisher

log = logging.getLogger("fieldsync.scheduler")
erp_log = logging.getLogger("fieldsync.erp.jobs")  # the ERP jobs' events, under their own name


# Master data is published on every change; this pass repairs what a crash left unpublished.
PUBLISH_INTERVAL_S = 600


def build_scheduler(services: Services) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    schedule_erp_jobs(scheduler, services)
    schedule_report_jobs(scheduler, services)
    publisher = MasterDataPublisher(services.store, services.sessions,
                                    services.settings.db_prefix)
    scheduler.add_job(publisher.publish_all, "interval", seconds=PUBLISH_INTERVAL_S,
                      id="publish_master_data", max_instances=1, coalesce=True)
    # Master-data imports queued by the API run here, one at a time on a thread of their own.
    imports = ImportJobRunner(services.imports)
    scheduler.add_job(imports.tick, "interval", seconds=services.settings.import_poll_interval_s,
                      id="import_jobs", max_instances=1, coalesce=True)
    return scheduler


def schedule_erp_jobs(scheduler: Any, services: Services) -> None:
    """Adds the drain, the cancellations and the pull; one run of each at a time per process.

    Several scheduler processes may run these at once: the drain and the cancellations claim
    rows in SQL and the pull's upserts are idempotent.
    """
    settings = services.settings
    scheduler.add_job(_drain, "interval", args=[services.erp_drainer], id="erp_outbox_drain",
                      seconds=settings.erp_drain_interval_s, max_instances=1, coalesce=True,
                      replace_existing=True)
    scheduler.add_job(services.erp_cancellations.send_due, "interval", id="erp_cancellations",
                      seconds=settings.erp_cancel_interval_s, max_instances=1, coalesce=True,
                      replace_existing=True)
    if settings.erp_kind.strip().lower() == "null":
        erp_log.info("event=erp_jobs kind=null: orders stay not sent, no master-data pull")
        return
    scheduler.add_job(_pull, "interval", args=[services.erp_puller], id="erp_master_pull",
                      seconds=settings.erp_pull_interval_s, max_instances=1, coalesce=True,
                      replace_existing=True)


def _drain(drainer: OutboxDrainer) -> None:
    report = drainer.drain_once()
    if report.claimed or report.receipts:
        erp_log.info("event=erp_drain claimed=%d accepted=%d retried=%d dead=%d receipts=%d",
                     report.claimed, report.accepted, report.retried, report.dead, report.receipts)


def _pull(puller: MasterDataPuller) -> None:
    report = puller.pull()
    erp_log.info("event=erp_master_pull customers=%d products=%d prices=%d incomplete=%d error=%s",
                 report.customers, report.products, report.prices, len(report.problems),
                 report.error or "-")


def run_scheduler(services: Services) -> None:
    scheduler = build_scheduler(services)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("event=scheduler_started jobs=%s", [j.id for j in scheduler.get_jobs()])
    scheduler.start()
    services.close()
