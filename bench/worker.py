"""Worker benchmark: 20,000 mixed documents in 50 engineer databases (LevelDB store, SQLite).

The bare run does the same I/O with no logic: it reads the same changes (one page ahead, as the
worker does), upserts precomputed rows into an identical empty schema and writes the same
receipts. `worker_ratio` = bare time / worker time.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.demo import load_master_data
from server.sql.migrate import upgrade
from server.sql.models import Base
from server.sql.models.sync_state import Checkpoint
from server.sql.session import transaction
from server.sql.upsert import upsert
from sync.dirty import DirtySet
from sync.embedded import EmbeddedStore
from sync.projection import project
from sync.provisioning import provision_engineer
from sync.receipts import ReceiptContent, is_server_document
from sync.store import ChangesPage, DocumentStore, chunks
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_track,
    make_visit,
)
from tests.support.engineers import add_engineers

ENGINEERS = 50
DOCS_PER_ENGINEER = 400
BATCH = 500
Doc = dict[str, Any]


def engineer_documents(owner: str, rng: random.Random) -> list[Doc]:
    """A realistic mix: sales (offer, approval, order), leads, visits, expenses, to-dos, tracks."""
    docs: list[Doc] = []
    while len(docs) < DOCS_PER_ENGINEER:
        customer = rng.choice(["C-1001", "C-1002", "C-1003", "C-1004", "C-1005"])
        lines = [(rng.choice(["P-100", "P-102", "P-400"]), rng.randint(1, 5), "6400.00",
                  rng.choice(["0", "5", "7.5"]), "18") for _ in range(rng.randint(1, 4))]
        offer = make_offer(owner, customer, lines=lines, status="approved")
        approval = make_approval(offer)
        docs += [offer, approval, make_order(offer, approval),
                 make_lead(owner, customer_id=customer), make_visit(owner, customer_id=customer),
                 make_expense(owner), make_todo(owner),
                 make_track([(12.97 + i * 1e-4, 77.59 + i * 1e-4) for i in range(20)], owner=owner)]
    return docs[:DOCS_PER_ENGINEER]


def write_documents(store: DocumentStore, dbs: dict[str, list[Doc]]) -> None:
    for db, docs in dbs.items():
        for batch in chunks(docs, BATCH):
            store.bulk_docs(db, batch)


def bare_run(services: Services, dbs: list[str], rows_of: dict[str, Rows]) -> float:
    """The same store reads, SQL upserts and receipt writes, without validation or bookkeeping.

    It reads ahead one page like the worker, so the ratio measures the worker's logic only.
    """
    store = services.store

    def page(db: str, since: str) -> ChangesPage:
        return store.changes(db, since, limit=BATCH, include_docs=True, conflicts=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as reader:
        for db in dbs:
            upcoming = reader.submit(page, db, "0")
            while (current := upcoming.result()).results:
                upcoming = reader.submit(page, db, current.last_seq)
                # Its own receipts come back in the feed, as the worker's do: both skip them.
                docs = [c["doc"] for c in current.results if not is_server_document(c["id"])]
                _bare_upsert(services, db, docs, current.last_seq, rows_of)
                store.bulk_docs(db, [_receipt(d) for d in docs])
    return time.perf_counter() - started


Rows = dict[str, list[Doc]]


def precompute_rows(store: DocumentStore, dbs: list[str]) -> dict[str, Rows]:
    """Every document's rows, computed before the clock starts: the bare run does no logic."""
    rows: dict[str, Rows] = {}
    for db in dbs:
        for row in store.all_docs(db, include_docs=True):
            rows[row["id"]] = project(row["doc"], db).tables
    return rows


def _bare_upsert(services: Services, db: str, docs: list[Doc], seq: str,
                 rows_of: dict[str, Rows]) -> None:
    tables: Rows = {}
    for doc in docs:
        for name, rows in rows_of[doc["_id"]].items():
            tables.setdefault(name, []).extend(rows)
    with transaction(services.sessions) as session:
        for table_name, rows in tables.items():
            target = Base.metadata.tables[table_name]
            upsert(session, target, rows, [c.name for c in target.primary_key.columns])
        upsert(session, Checkpoint, [{"db_name": db, "seq": seq, "docs_seen": len(docs)}],
               ["db_name"])


def _receipt(doc: Doc) -> Doc:
    return ReceiptContent(doc_id=doc["_id"], doc_rev=doc["_rev"], status="accepted", reason="",
                          processed_at=datetime.now(UTC)).to_doc(None)


def _services(root: Path, name: str, store: EmbeddedStore) -> Services:
    ep = store.endpoint
    settings = Settings(var_dir=root / name, database_url=f"sqlite:///{root / name}.db",
                        store_url=ep.url, store_username=ep.username, store_password=ep.password,
                        db_prefix=f"{name}-")
    services = bootstrap(settings)
    upgrade(services.engine)
    load_master_data(services)
    # Engineers who may give any discount: every approval is judged, none waits for a head.
    add_engineers(services.sessions, (f"eng{i:02d}" for i in range(ENGINEERS)), Decimal(100))
    return services


def _corpus() -> Iterator[tuple[str, list[Doc]]]:
    rng = random.Random(7)
    for i in range(ENGINEERS):
        owner = f"eng{i:02d}"
        yield owner, engineer_documents(owner, rng)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        root = Path(tmp)
        store = EmbeddedStore(root / "store", in_memory=False)
        with store:
            bare, real = _services(root, "bare", store), _services(root, "real", store)
            corpus = dict(_corpus())
            bare_dbs = {provision_engineer(bare.store, bare.sessions, "bare-", o): d
                        for o, d in corpus.items()}
            real_dbs = {provision_engineer(real.store, real.sessions, "real-", o): d
                        for o, d in corpus.items()}
            write_documents(real.store, bare_dbs)
            write_documents(real.store, real_dbs)
            bare_s = bare_run(bare, list(bare_dbs), precompute_rows(bare.store, list(bare_dbs)))
            DirtySet(real.sessions).mark(real_dbs)
            started = time.perf_counter()
            processed = real.worker().run_until_idle()
            worker_s = time.perf_counter() - started
            bare.close()
            real.close()
    total = ENGINEERS * DOCS_PER_ENGINEER
    assert processed == total, f"the worker processed {processed} of {total} documents"
    return {"worker_docs": float(total), "worker_seconds": worker_s,
            "worker_docs_per_s": total / worker_s, "bare_seconds": bare_s,
            "bare_docs_per_s": total / bare_s, "worker_ratio": bare_s / worker_s}
