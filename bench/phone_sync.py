"""Initial sync of a fresh phone: the shared phone data layer (Node, memory adapter) pulling
20,000 customers and 5,000 products through `fieldsync serve`, next to the same pull straight
from the store."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.gateway import _gateway, _settings
from server.accounts.service import create_user
from server.bootstrap import Services, bootstrap
from server.sql.migrate import upgrade
from sync.embedded import EmbeddedStore, StoreEndpoint
from sync.provisioning import catalog_db_name, customers_db_name

CUSTOMERS = 20_000
PRODUCTS = 5_000
CHUNK = 2_000
TERRITORY = "KA"
PASSWORD = "bench password 1"
MOBILE = Path(__file__).resolve().parents[1] / "mobile"


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, EmbeddedStore(Path(tmp) / "store",
                                                             in_memory=True) as store:
        settings = _settings(Path(tmp), store.endpoint)
        services = bootstrap(settings)
        upgrade(services.engine)
        try:
            dbs = _seed(services)
            with _gateway(settings) as (url, _pid):
                result = _node(url, store.endpoint, dbs)
        finally:
            services.close()
    expected = CUSTOMERS + PRODUCTS
    for side in ("gateway", "direct"):
        if result[side]["docs"] != expected:
            raise RuntimeError(f"{side} pull wrote {result[side]['docs']} of {expected} documents")
    phone = expected / result["gateway"]["seconds"]
    direct = expected / result["direct"]["seconds"]
    return {"phone_initial_sync_docs_per_s": phone, "direct_initial_sync_docs_per_s": direct,
            "phone_initial_sync_ratio": phone / direct}


def _seed(services: Services) -> dict[str, str]:
    prefix = services.settings.db_prefix
    create_user(services.sessions, services.store, services.settings, "field1", PASSWORD,
                "engineer", territory=TERRITORY)
    catalog, customers = catalog_db_name(prefix), customers_db_name(prefix, TERRITORY)
    products = [{"_id": f"product:P-{i:05d}", "type": "product", "product_id": f"P-{i:05d}",
                 "name": f"Product {i}", "gst_rate": "18", "active": True}
                for i in range(PRODUCTS)]
    people = [{"_id": f"customer:C-{i:05d}", "type": "customer", "customer_id": f"C-{i:05d}",
               "name": f"Customer {i}", "city": "Mysuru", "state_code": "29",
               "territory": TERRITORY, "active": True} for i in range(CUSTOMERS)]
    for db, docs in ((catalog, products), (customers, people)):
        services.store.ensure_db(db)
        for start in range(0, len(docs), CHUNK):
            services.store.bulk_docs(db, docs[start:start + CHUNK])
    return {"catalog": catalog, "customers": customers}


def _node(url: str, endpoint: StoreEndpoint, dbs: dict[str, str]) -> dict[str, Any]:
    node = shutil.which("node")
    if not node or not (MOBILE / "node_modules").is_dir():
        raise RuntimeError("run `make setup`: the benchmark drives the app's sync module in Node")
    basic = base64.b64encode(f"{endpoint.username}:{endpoint.password}".encode()).decode()
    args = {"server": url, "username": "field1", "password": PASSWORD,
            "store": {"catalog": f"{endpoint.url}/{dbs['catalog']}",
                      "customers": f"{endpoint.url}/{dbs['customers']}",
                      "authorization": f"Basic {basic}"}}
    done = subprocess.run([node, "--experimental-default-type=module", "scripts/initial-sync.js",
                           json.dumps(args)], cwd=MOBILE, capture_output=True, text=True,
                          timeout=900)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(done.stderr[-2000:])
    answer: dict[str, Any] = json.loads(lines[-1])
    if not answer["ok"]:
        raise RuntimeError(answer["error"])
    return answer
