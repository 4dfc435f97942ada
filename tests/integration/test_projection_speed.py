"""SqlProjection.apply against a bare executemany upsert of the same rows (500 documents)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.bootstrap import Services
from server.sql.models.base import Base
from sync.projection import project
from sync.sql_projection import Outcome, SqlProjection
from tests.support import projection_samples as samples

DB = "fs-eng-asha"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def mixed_documents(n: int = 500) -> list[dict[str, Any]]:
    """Offers, approvals, orders, leads, visits, expenses, to-dos and 20-point tracks."""
    makers: list[Callable[[int], dict[str, Any]]] = [
        lambda i: samples.offer(f"offer:o{i}"),
        lambda i: samples.approval(samples.offer(f"offer:o{i}"), "sha256:0", f"approval:a{i}"),
        lambda i: samples.order(samples.offer(f"offer:o{i}"), f"order:r{i}"),
        lambda i: samples.lead(f"lead:l{i}"),
        lambda i: samples.visit(f"visit:v{i}"),
        lambda i: samples.expense(f"expense:e{i}"),
        lambda i: samples.todo(f"todo:t{i}"),
        lambda i: samples.track(f"track:k{i}", points=[
            {"lat": 12.9 + j / 1000, "lon": 77.5, "accuracy_m": 5, "mock": False,
             "at": f"2026-11-29T09:{j:02d}:00+05:30"} for j in range(20)]),
    ]
    return [makers[i % len(makers)](i) for i in range(n)]


def bare_rows(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The rows apply writes, converted in advance, with a status row per document."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        for table, table_rows in project(doc, DB, NOW).tables.items():
            rows[table].extend(table_rows)
        rows["document_status"].append({
            "db_name": DB, "doc_id": doc["_id"], "doc_type": doc["type"], "owner": "asha",
            "rev": doc["_rev"], "rev_pos": 1, "status": "accepted", "reason": "", "errors": [],
            "deleted": False, "in_conflict": False, "receipt_pending": True,
            "processed_at": NOW})
    return rows


def bare_upsert(session: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    """The yardstick: one INSERT … ON CONFLICT DO UPDATE executemany per table, nothing else."""
    dialect = session.get_bind().dialect.name
    for table in [t for t in Base.metadata.sorted_tables if t.name in rows]:
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        keys = [c.name for c in table.primary_key.columns]
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_={
            c: stmt.excluded[c] for c in rows[table.name][0] if c not in keys})
        session.execute(stmt, rows[table.name])


def timed(services: Services, work: Callable[[Session], None]) -> float:
    """Seconds `work` takes in a transaction that is then rolled back (the tables stay empty)."""
    with services.sessions() as session, session.begin():
        started = time.perf_counter()
        work(session)
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


def test_apply_keeps_up_with_a_bare_upsert(services: Services) -> None:
    docs = mixed_documents()
    rows = bare_rows(docs)
    row_count = sum(len(r) for r in rows.values())

    def run_apply(session: Session) -> None:
        outcomes = [Outcome(doc=d, status="accepted") for d in docs]
        SqlProjection(clock=lambda: NOW).apply(session, DB, outcomes)

    # Interleaved, best of seven: the machine is shared, noise hits both sides alike.
    bare, applied = float("inf"), float("inf")
    for _ in range(7):
        bare = min(bare, timed(services, lambda s: bare_upsert(s, rows)))
        applied = min(applied, timed(services, run_apply))
    with services.sessions() as session:
        assert session.execute(select(func.count()).select_from(
            Base.metadata.tables["offers"])).scalar_one() == 0
    print(f"\n{services.engine.dialect.name}: {len(docs)} documents, {row_count} rows: "
          f"apply {applied * 1000:.0f} ms ({row_count / applied:.0f} rows/s), bare upsert "
          f"{bare * 1000:.0f} ms ({row_count / bare:.0f} rows/s), ratio {applied / bare:.2f}")
    assert applied < 2 * bare  # apply converts the documents too; bare gets rows ready-made
