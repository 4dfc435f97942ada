"""The scheduler process: APScheduler jobs for the ERP outbox, master data, sweeps and rollups."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from server.bootstrap import Services

log = logging.getLogger("fieldsync.scheduler")


def build_scheduler(services: Services) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    try:
        from erp_bridge.jobs import schedule_erp_jobs
    except ImportError:  # the bridge is optional in a slimmed-down deployment
        log.warning("ERP bridge not installed: no outbox drain scheduled")
    else:
        schedule_erp_jobs(scheduler, services)
    from server.reports.jobs import schedule_report_jobs

    schedule_report_jobs(scheduler, services)
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
