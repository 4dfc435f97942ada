"""The scheduler process: APScheduler jobs for the ERP outbox, master data, sweeps and rollups."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from erp_bridge.jobs import schedule_erp_jobs
from server.bootstrap import Services
from server.importing.jobs import ImportJobRunner
from server.reports.jobs import schedule_report_jobs
from sync.publish import MasterDataPublisher

log = logging.getLogger("fieldsync.scheduler")


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


def run_scheduler(services: Services) -> None:
    scheduler = build_scheduler(services)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("event=scheduler_started jobs=%s", [j.id for j in scheduler.get_jobs()])
    scheduler.start()
    services.close()
