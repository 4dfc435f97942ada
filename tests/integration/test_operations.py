"""/healthz and /metrics answer what an operator needs."""

from __future__ import annotations

from server.app import create_app
from server.bootstrap import Services
from server.demo import load_master_data
from sync.dirty import DirtySet
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
    assert f"fieldsync_worker_lag_seconds{{db_name=\"{db}\"}}" in text
