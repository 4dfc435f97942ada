"""Scheduled report jobs: the daily travel rollup and the geofence verification pass."""

from __future__ import annotations

import logging
from typing import Any

from server.bootstrap import Services
from server.location import GeofenceRules
from server.reports.rollup import TravelRollup
from server.reports.sqlutil import zone
from server.reports.verification import VerificationJob

log = logging.getLogger("fieldsync.reports.jobs")

ROLLUP_INTERVAL_S = 300.0


def report_timezone(services: Services) -> str | None:
    """The team's zone for day boundaries (FIELDSYNC extra `report_timezone`, else India)."""
    return services.settings.extra.get("report_timezone")


def build_jobs(services: Services) -> tuple[TravelRollup, VerificationJob]:
    rules = GeofenceRules(radius_m=services.settings.geofence_radius_m)
    tz = zone(report_timezone(services))
    return TravelRollup(services.sessions, tz), VerificationJob(services.sessions, rules)


def run_report_jobs(rollup: TravelRollup, verification: VerificationJob) -> None:
    """One pass of both; each is idempotent, so two schedulers running it at once is safe."""
    days = rollup.run()
    verified = verification.run()
    if days or verified:
        log.info("event=report_jobs travel_days=%d verified=%d", days, verified)


def schedule_report_jobs(scheduler: Any, services: Services) -> None:
    rollup, verification = build_jobs(services)
    scheduler.add_job(run_report_jobs, "interval", args=[rollup, verification],
                      id="report_rollups", seconds=ROLLUP_INTERVAL_S, max_instances=1,
                      coalesce=True, replace_existing=True)
