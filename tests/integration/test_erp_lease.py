"""A scheduler killed while it sends an order frees it within seconds; while it lives, nobody
else takes it (its lease is renewed through an ERP call longer than the lease)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from erp_bridge.adapters import adapter_from_settings
from erp_bridge.drain import OutboxDrainer
from erp_bridge.snapshot import build_snapshot
from server.audit.recorder import record
from server.bootstrap import Services
from server.sql.models.erp import ErpOutbox
from tests.support.erp_servers.fixtures import sap_server  # noqa: F401
from tests.support.erp_servers.harness import enqueue, erp_settings, receipts
from tests.support.erp_servers.sap import SapServer

REPO = Path(__file__).resolve().parents[2]
LEASE_S = 3.0


def scheduler_env(services: Services, server: SapServer) -> dict[str, str]:
    s = services.settings
    return {**os.environ, "FIELDSYNC_DATABASE_URL": s.sqlalchemy_url,
            "FIELDSYNC_VAR_DIR": str(s.var_dir), "FIELDSYNC_STORE_URL": s.store_url,
            "FIELDSYNC_STORE_USERNAME": s.store_username,
            "FIELDSYNC_STORE_PASSWORD": s.store_password, "FIELDSYNC_DB_PREFIX": s.db_prefix,
            "FIELDSYNC_ERP_KIND": "sap", "FIELDSYNC_ERP_URL": server.url,
            "FIELDSYNC_ERP_USERNAME": "erpuser", "FIELDSYNC_ERP_PASSWORD": "erppass",
            "FIELDSYNC_ERP_TIMEOUT_S": "60", "FIELDSYNC_ERP_LEASE_S": str(LEASE_S),
            "FIELDSYNC_ERP_DRAIN_INTERVAL_S": "0.5", "FIELDSYNC_LOG_LEVEL": "WARNING"}


def lease_owner(services: Services, order_id: str) -> str | None:
    with services.sessions() as s:
        row = s.get(ErpOutbox, order_id)
        return None if row is None else row.lease_owner


@pytest.mark.slow
def test_a_killed_schedulers_order_is_sent_by_another_drain_within_seconds(
        services: Services, sap_server: SapServer) -> None:  # noqa: F811
    (doc,) = enqueue(services, range(1, 2), "sap")
    key = build_snapshot(doc)["key"]
    sap_server.slow_s = 120  # the ERP creates the order, then keeps the scheduler waiting
    sap_server.faults.push("slow")
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "scheduler"], cwd=REPO,
                            env=scheduler_env(services, sap_server))
    settings = erp_settings(services, "sap", sap_server, erp_lease_s=LEASE_S)
    other = OutboxDrainer(services.sessions, adapter_from_settings(settings), services.store,
                          settings, audit=record)
    try:
        deadline = time.monotonic() + 60
        while not (sap_server.count(key) and lease_owner(services, doc["_id"])):
            assert time.monotonic() < deadline, "the scheduler never sent the order"
            time.sleep(0.1)
        watched_until = time.monotonic() + 3 * LEASE_S
        while time.monotonic() < watched_until:  # alive and waiting: its lease holds
            assert other.drain_once().claimed == 0
            time.sleep(0.25)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed = time.monotonic()
    while not other.drain_once().accepted:
        assert time.monotonic() - killed < LEASE_S + 5, "the order waited for a long lease"
        time.sleep(0.25)
    assert sap_server.count(key) == 1  # looked up, found, not created twice
    assert receipts(services, [doc])[doc["_id"]]["status"] == "accepted"
