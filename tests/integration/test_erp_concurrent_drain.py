"""Two drainer processes on one PostgreSQL outbox send every order exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from erp_bridge.snapshot import build_snapshot
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.embedded import StoreEndpoint
from tests.support.erp_servers.fixtures import sap_server  # noqa: F401
from tests.support.erp_servers.harness import enqueue, receipts
from tests.support.erp_servers.sap import SapServer
from tests.support.postgres import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 200


@pytest.fixture
def pg_services(postgres_admin_url: str, store_endpoint: StoreEndpoint, tmp_path: Path,
                db_prefix: str) -> Iterator[Services]:
    url, name = create_database(postgres_admin_url)
    settings = Settings(var_dir=tmp_path / "var", database_url=url,
                        store_url=store_endpoint.url, store_username=store_endpoint.username,
                        store_password=store_endpoint.password, db_prefix=db_prefix)
    built = bootstrap(settings)
    upgrade(built.engine)
    yield built
    built.close()
    drop_database(postgres_admin_url, name)


def drainer_env(services: Services, server: SapServer) -> dict[str, str]:
    s = services.settings
    return {**os.environ, "FIELDSYNC_DATABASE_URL": s.database_url,
            "FIELDSYNC_STORE_URL": s.store_url, "FIELDSYNC_STORE_USERNAME": s.store_username,
            "FIELDSYNC_STORE_PASSWORD": s.store_password, "FIELDSYNC_DB_PREFIX": s.db_prefix,
            "FIELDSYNC_ERP_KIND": "sap", "FIELDSYNC_ERP_URL": server.url,
            "FIELDSYNC_ERP_USERNAME": "erpuser", "FIELDSYNC_ERP_PASSWORD": "erppass",
            "FIELDSYNC_ERP_TIMEOUT_S": "2", "FIELDSYNC_ERP_BATCH_SIZE": "5",
            "FIELDSYNC_ERP_MAX_ATTEMPTS": "30", "FIELDSYNC_ERP_BACKOFF_BASE_S": "0.05",
            "FIELDSYNC_ERP_BACKOFF_CAP_S": "0.2"}


@pytest.mark.postgres
@pytest.mark.slow
def test_two_drainer_processes_send_each_order_once(pg_services: Services, tmp_path: Path,
                                                    sap_server: SapServer) -> None:  # noqa: F811
    docs = enqueue(pg_services, range(1, ORDERS + 1), "sap")
    sap_server.latency_s = 0.003
    sap_server.faults.randomly(0.1, ["drop-after-commit", "504-after-commit", "502", "drop"])
    start = tmp_path / "start"
    procs = [subprocess.Popen([sys.executable, "-m", "tests.support.erp_servers.drain_process",
                               str(start)], cwd=ROOT, env=drainer_env(pg_services, sap_server),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    start.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]

    assert all(r["accepted"] > 0 for r in reports)  # both really took part
    assert sum(r["accepted"] for r in reports) == ORDERS
    assert all(sap_server.count(build_snapshot(d)["key"]) == 1 for d in docs)
    assert len(sap_server.orders) == ORDERS
    erp = receipts(pg_services, docs)
    assert all(e["status"] == "accepted" and e["number"] for e in erp.values())
