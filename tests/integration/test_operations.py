"""/healthz and /metrics answer what an operator needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.app import create_app
from server.bootstrap import Services
from server.demo import load_master_data
from server.sql.models.sync_state import WorkerHeartbeat
from server.sql.session import transaction
from sync.dirty import DirtySet
from sync.heartbeat import FORGET_AFTER_S, STALE_AFTER_S, Heartbeat
from sync.provisioning import provision_engineer
from sync.worker import Worker
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
    Worker(services).run_until_idle()
    text = create_app(services=services).test_client().get("/metrics").get_data(as_text=True)
    assert 'fieldsync_documents_processed_total{doc_type="todo",status="accepted"}' in text
    assert 'fieldsync_documents_processed_total{doc_type="todo",status="rejected"}' in text
    assert "fieldsync_worker_batch_seconds_bucket" in text
    assert "fieldsync_worker_lag_seconds " in text and db not in text


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
