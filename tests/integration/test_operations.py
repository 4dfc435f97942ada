"""/healthz and /metrics answer what an operator needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import request
from sqlalchemy import update

from server.app import create_app
from server.bootstrap import Services
from server.demo import load_master_data
from server.sql.models.sync_state import WorkerHeartbeat
from server.sql.session import transaction
from sync.dirty import DirtySet
from sync.heartbeat import FORGET_AFTER_S, STALE_AFTER_S, Heartbeat
from sync.provisioning import provision_engineer
from tests.factories import make_todo


def test_healthz_reports_store_sql_and_worker_lag(services: Services) -> None:
    client = create_app(services=services).test_client()
    body = client.get("/healthz").get_json()
    assert body["ok"] and body["store"] and body["sql"]
    assert body["worker"] == {"dirty_databases": 0, "lag_s": None, "ok": True, "processes": []}
    DirtySet(services.sessions).mark(["fs-eng-someone"])
    waiting = client.get("/healthz").get_json()["worker"]
    assert waiting["dirty_databases"] == 1 and waiting["lag_s"] >= 0


def test_metrics_count_documents_per_type_and_verdict(services: Services) -> None:
    load_master_data(services)
    db = provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                            "asha")
    services.store.bulk_docs(db, [make_todo("asha"), {**make_todo("asha"), "owner": "ravi"}])
    DirtySet(services.sessions).mark([db])
    worker = services.worker()
    worker.run_once()  # holds its leases until run_until_idle gives them back
    client = create_app(services=services).test_client()
    owners = client.get("/metrics").get_data(as_text=True)
    owner = worker.ownership.owner  # type: ignore[attr-defined]
    assert owners.count(f'owner="{owner}"') == services.settings.worker_partitions
    worker.run_until_idle()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'fieldsync_documents_processed_total{doc_type="todo",status="accepted"}' in text
    assert 'fieldsync_documents_processed_total{doc_type="todo",status="rejected"}' in text
    assert "fieldsync_worker_batch_seconds_bucket" in text
    assert "fieldsync_worker_lag_seconds " in text and db not in text
    # Per partition, not per database (which does not scale past a few thousand engineers).
    assert f"fieldsync_worker_lag_seconds{{db_name=\"{db}\"}}" not in text
    assert text.count("fieldsync_partition_lag_seconds{") == services.settings.worker_partitions
    assert "fieldsync_partition_owner{" not in text  # a clean stop gives every lease back
    assert text.count("fieldsync_partition_unowned_seconds{") == services.settings.worker_partitions


def test_healthz_is_not_ok_while_a_worker_waits_out_an_error_or_falls_silent(
        services: Services) -> None:
    client = create_app(services=services).test_client()
    beat = Heartbeat(services.sessions, "worker 0/1")
    beat.beat()
    assert client.get("/healthz").status_code == 200
    beat.failing("sql: database or disk is full")
    beat.beat()
    answer = client.get("/healthz")
    (process,) = answer.get_json()["worker"]["processes"]
    assert answer.status_code == 503
    assert (process["ok"], process["state"]) == (False, "waiting")
    assert process["error"] == "sql: database or disk is full"
    beat.recovered()
    beat.beat()
    assert client.get("/healthz").status_code == 200
    for silent_s, status in ((STALE_AFTER_S + 5, 503), (FORGET_AFTER_S + 5, 200)):
        with transaction(services.sessions) as s:
            s.execute(update(WorkerHeartbeat).values(
                beat_at=datetime.now(UTC) - timedelta(seconds=silent_s)))
        assert client.get("/healthz").status_code == status
    beat.beat()
    beat.stop()  # stopped on purpose: no longer reported
    assert client.get("/healthz").get_json()["worker"]["processes"] == []


def test_healthz_turns_not_ok_when_a_partition_waits_too_long_for_an_owner(
        services: Services, build_services: Callable[..., Services]) -> None:
    client = create_app(services=services).test_client()
    worker = services.worker()
    worker.run_once()
    held = client.get("/healthz").get_json()
    assert held["ok"] and held["partitions"]["unowned"] == 0
    worker.ownership.release()  # a worker gone: nobody owns its partitions now
    waiting = client.get("/healthz").get_json()
    assert waiting["ok"] and waiting["partitions"]["unowned"] == services.settings.worker_partitions
    alerting = build_services(worker_unowned_alert_s=0.05)
    time.sleep(0.1)
    late = create_app(services=alerting).test_client().get("/healthz")
    assert late.status_code == 503
    body = late.get_json()
    assert not body["ok"] and body["partitions"]["longest_unowned_s"] > 0.05


def test_behind_the_proxy_the_client_address_is_the_forwarded_one(
        services: Services, build_services: Callable[..., Services]) -> None:
    seen: list[str | None] = []

    def address() -> str:
        seen.append(request.remote_addr)
        return "ok"

    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    direct = create_app(services=services)
    direct.add_url_rule("/_address", view_func=address)
    direct.test_client().get("/_address", headers=forwarded)
    proxied = create_app(services=build_services(trusted_proxies=1))
    proxied.add_url_rule("/_address", view_func=address)
    proxied.test_client().get("/_address", headers=forwarded)
    # Without a trusted proxy the header is the client's word and is ignored.
    assert seen == ["127.0.0.1", "203.0.113.7"]
