"""How soon hostile admin uploads are turned away: a million-row XLSX refused by counting its
rows, and a zip bomb refused by the sizes it declares (the tests in tests/security/test_imports.py
check that they are refused, and how; these are the times)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.gateway import _settings
from server.bootstrap import bootstrap
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore
from tests.support.api import api_client, seed
from tests.support.imports import million_row_xlsx, run_queued, upload, zip_bomb


def run() -> dict[str, float]:
    million, bomb = million_row_xlsx(), zip_bomb()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "store",
                                                             in_memory=True) as store:
        services = bootstrap(_settings(Path(tmp), store.endpoint))
        upgrade(services.engine)
        try:
            seed(services)
            api = api_client(services)
            started = time.perf_counter()
            queued = upload(api, "products", "million.xlsx", million)
            queued_s = time.perf_counter() - started
            run_queued(api)
            refused_s = time.perf_counter() - started
            job = api.get(f"/api/v1/imports/jobs/{queued.json['id']}", "adam").json
            assert job["status"] == "failed", job
            started = time.perf_counter()
            answer = upload(api, "products", "bomb.xlsx", bomb)
            bomb_ms = (time.perf_counter() - started) * 1000
            assert answer.status_code == 413, answer.json
        finally:
            services.close()
    return {"import_million_rows_queued_s": queued_s,
            "import_million_rows_refused_s": refused_s,
            "import_zip_bomb_refused_ms": bomb_ms}
