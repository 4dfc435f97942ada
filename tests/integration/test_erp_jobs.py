"""The scheduled ERP jobs: what `fieldsync scheduler` runs, and one drain through them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from server.bootstrap import Services
from server.jobs import _drain, build_scheduler, schedule_erp_jobs
from tests.support.erp_servers.fixtures import erpnext_server  # noqa: F401
from tests.support.erp_servers.harness import enqueue, erp_overrides, receipts


def test_jobs_follow_the_configured_erp(services: Services,
                                        build_services: Callable[..., Services],
                                        erpnext_server: Any) -> None:  # noqa: F811
    scheduler = BackgroundScheduler(timezone="UTC")
    schedule_erp_jobs(scheduler, services)
    # null: no pull; cancellations still run, to settle approved ones as not needed in an ERP
    assert [j.id for j in scheduler.get_jobs()] == ["erp_outbox_drain", "erp_cancellations"]

    erpnext = build_services(**erp_overrides("erpnext", erpnext_server))
    assert {j.id for j in build_scheduler(erpnext).get_jobs()} >= {
        "erp_outbox_drain", "erp_master_pull", "erp_cancellations"}
    docs = enqueue(erpnext, range(1, 4), "erpnext")
    _drain(erpnext.erp_drainer)
    assert erpnext_server.count(docs[0]["_id"].replace("order:", "FS-")) == 1
    assert all(e["status"] == "accepted" for e in receipts(erpnext, docs).values())
