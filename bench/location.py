"""Location and reports benchmark: a year of a 200-engineer team in SQLite and PostgreSQL.

2 million GPS points, 50,000 orders (70,000 offers), 20,000 leads, 60,000 visits and the rest
are bulk-loaded; then every report runs seven times per database (admin, last 30 days; head,
last quarter) and its median is printed. The GPS ingest ratio compares FieldSync's own path
(track documents through sync/projection.py and sync/sql_projection.py, as the worker does)
with a bare executemany of the same rows, interleaved in one run: ratio = bare / ingest time.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, text
from sqlalchemy.orm import Session

from server.accounts.roles import Principal, Role
from server.reports.filters import ReportFilter
from server.reports.rollup import TravelRollup
from server.reports.service import REPORTS, ReportService
from server.reports.sqlutil import zone
from server.sql.migrate import upgrade
from server.sql.models import Base
from server.sql.session import make_engine, make_session_factory
from sync.documents.stages import FORWARD
from sync.projection import project
from sync.sql_projection import Outcome, SqlProjection
from tests.support.postgres import create_database, drop_database, postgres_server

TZ = zone("Asia/Kolkata")
YEAR = 2026
ENGINEERS, TEAMS, TERRITORIES, CUSTOMERS = 200, 10, 20, 2000
OFFERS, ORDERS, LEADS, VISITS, EXPENSES = 70_000, 50_000, 20_000, 60_000, 40_000
LOGINS, STATUSES = 100_000, 150_000
WORK_DAYS, FIXES_PER_DAY = 250, 40  # 200 x 250 x 40 = 2,000,000 points
RUNS = 7
Row = dict[str, Any]
NOW = datetime(YEAR, 12, 31, 12, tzinfo=UTC)


def _owner(i: int) -> str:
    return f"eng{i:03d}"


def _when(rng: random.Random) -> datetime:
    return datetime(YEAR, 1, 1, 3, 30, tzinfo=UTC) + timedelta(
        days=rng.randrange(365), seconds=rng.randrange(10 * 3600))


def _header(kind: str, i: int, owner: str, at: datetime, rng: random.Random) -> Row:
    return {"doc_id": f"{kind}:{i}", "db_name": f"fs-eng-{owner}", "owner": owner,
            "rev": "1-a", "rev_pos": 1, "created_at": at, "updated_at": at,
            "loc_lat": 12.5 + rng.random(), "loc_lon": 77.0 + rng.random(),
            "loc_accuracy_m": 10.0, "loc_at": at, "loc_mock": False}


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def people() -> dict[str, list[Row]]:
    users = [{"id": i + 1, "username": _owner(i), "password_hash": "x", "role": "engineer",
              "team_id": i * TEAMS // ENGINEERS + 1, "territory_code": f"T{i % TERRITORIES:02d}",
              "discount_limit_pct": Decimal(5), "full_name": f"Engineer {i}", "active": True,
              "created_at": NOW} for i in range(ENGINEERS)]
    users += [{"id": ENGINEERS + t, "username": f"head{t:02d}", "password_hash": "x",
               "role": "head", "team_id": t, "territory_code": None, "full_name": "",
               "discount_limit_pct": Decimal(20), "active": True, "created_at": NOW}
              for t in range(1, TEAMS + 1)]
    rng = random.Random(1)
    return {
        "teams": [{"id": t, "name": f"Team {t}", "created_at": NOW} for t in range(1, TEAMS + 1)],
        "territories": [{"code": f"T{t:02d}", "name": f"Territory {t}"}
                        for t in range(TERRITORIES)],
        "users": users,
        "customers": [{"customer_id": f"C-{c}", "name": f"Customer {c}", "state_code": "29",
                       "address": "", "city": "", "pincode": "", "lat": 12.5 + rng.random(),
                       "lon": 77.0 + rng.random(), "territory_code": f"T{c % TERRITORIES:02d}",
                       "active": True, "updated_at": NOW} for c in range(CUSTOMERS)],
        "sales_targets": [{"owner": _owner(i), "month": date(YEAR, m, 1),
                           "order_value": Decimal("500000.00"), "orders": 20, "set_by": "x",
                           "set_at": NOW} for i in range(ENGINEERS) for m in range(1, 13)],
    }


def sales(rng: random.Random) -> dict[str, list[Row]]:
    offers, orders = [], []
    for i in range(OFFERS):
        owner, at = _owner(rng.randrange(ENGINEERS)), _when(rng)
        taxable = _money(rng, 1000, 200_000)
        discount = (taxable * Decimal(rng.randrange(0, 12)) / 100).quantize(Decimal("0.01"))
        gst = (taxable * Decimal("0.18")).quantize(Decimal("0.01"))
        totals = {"supply": "intra", "taxable": taxable, "discount": discount,
                  "cgst": gst / 2, "sgst": gst / 2, "igst": Decimal(0), "gst": gst,
                  "grand_total": taxable + gst}
        customer = f"C-{rng.randrange(CUSTOMERS)}"
        offers.append({**_header("offer", i, owner, at, rng), **totals, "customer_id": customer,
                       "status": "approved", "valid_until": date(YEAR + 1, 1, 31),
                       "content_hash": "sha256:0", "business_key": "k",
                       "max_discount_pct": Decimal(10), "in_conflict": False})
        if i < ORDERS:
            orders.append({**_header("order", i, owner, at + timedelta(hours=2), rng), **totals,
                           "offer_id": f"offer:{i}", "approval_id": f"approval:{i}",
                           "customer_id": customer, "business_key": "k",
                           "erp_status": rng.choice(["accepted", "accepted", "queued",
                                                     "failed", "not_sent"])})
    return {"offers": offers, "orders": orders}


def funnel(rng: random.Random) -> dict[str, list[Row]]:
    leads, history = [], []
    stages = list(FORWARD)
    for i in range(LEADS):
        owner, at = _owner(rng.randrange(ENGINEERS)), _when(rng)
        reached = stages[:rng.randint(1, len(stages))]
        if rng.random() < 0.25:
            reached.append("lost")
        for position, stage in enumerate(reached):
            history.append({"lead_id": f"lead:{i}", "position": position, "stage": stage,
                            "at": at + timedelta(days=position * rng.randint(1, 9)), "by": owner})
        leads.append({**_header("lead", i, owner, at, rng), "title": "Chiller",
                      "expected_value": _money(rng, 10_000, 500_000), "stage": reached[-1],
                      "lost_reason": rng.choice(["price", "competitor", "budget"])
                      if reached[-1] == "lost" else None, "customer_id": "C-1"})
    return {"leads": leads, "lead_stage_history": history}


def field_work(rng: random.Random) -> dict[str, list[Row]]:
    visits, expenses, verifications = [], [], []
    for i in range(VISITS):
        owner, at = _owner(rng.randrange(ENGINEERS)), _when(rng)
        visits.append({**_header("visit", i, owner, at, rng), "customer_id": f"C-{i % 2000}",
                       "purpose": "demo", "check_in_at": at, "check_in_lat": 12.9,
                       "check_in_lon": 77.5, "check_in_accuracy_m": 9.0,
                       "check_out_at": at + timedelta(minutes=40)})
        verifications.append({"doc_id": f"visit:{i}", "doc_type": "visit", "rev": "1-a",
                              "owner": owner, "customer_id": f"C-{i % 2000}", "event_at": at,
                              "status": rng.choice(["inside", "inside", "outside", "unknown"]),
                              "distance_m": rng.random() * 5000, "reason": None, "message": "",
                              "verified_at": NOW})
    for i in range(EXPENSES):
        owner, at = _owner(rng.randrange(ENGINEERS)), _when(rng)
        expenses.append({**_header("expense", i, owner, at, rng), "date": at.date(),
                         "from_place": "A", "to_place": "B", "mode": "bike",
                         "km": Decimal(rng.randrange(5, 80)), "amount": _money(rng, 50, 900),
                         "purpose": "", "has_receipt_photo": True})
    return {"visits": visits, "expenses": expenses, "location_verifications": verifications}


def activity(rng: random.Random) -> dict[str, list[Row]]:
    logins = [{"username": _owner(rng.randrange(ENGINEERS)),
               "kind": rng.choice(["login", "login", "refresh", "failed"]),
               "address": f"10.0.{rng.randrange(9)}.1", "user_agent": f"phone-{rng.randrange(3)}",
               "reason": "", "at": _when(rng)} for _ in range(LOGINS)]
    statuses = [{"db_name": "fs-eng", "doc_id": f"doc:{i}", "doc_type": "order",
                 "owner": _owner(rng.randrange(ENGINEERS)), "rev": "1-a", "rev_pos": 1,
                 "status": "accepted", "reason": "", "errors": [], "deleted": False,
                 "in_conflict": False, "receipt_pending": False, "processed_at": _when(rng)}
                for i in range(STATUSES)]
    travel = [{"owner": _owner(e), "day": date(YEAR, 1, 1) + timedelta(days=d), "points": 40,
               "used_points": 38, "mock_points": 0, "distance_m": rng.random() * 80_000,
               "moving_s": 14_000.0, "stopped_s": 9000.0, "untracked_s": 0.0, "stops": 5,
               "integrity_score": rng.choice([100, 100, 85, 60]), "integrity_reasons": [],
               "computed_at": NOW} for e in range(ENGINEERS) for d in range(0, 365, 1)
              if d % 7 < 5]
    conflicts = [{"db_name": "fs", "doc_id": f"offer:{i}", "doc_type": "offer",
                  "owner": _owner(rng.randrange(ENGINEERS)), "winner_rev": "2-a",
                  "loser_revs": [], "differences": [], "sides": [], "summary": "",
                  "status": rng.choice(["open", "resolved"]), "opened_at": _when(rng),
                  "updated_at": NOW} for i in range(2000)]
    return {"login_events": logins, "document_status": statuses, "daily_travel": travel,
            "conflicts": conflicts}


def gps_rows(rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """2 million (track_id, position, db_name, owner, lat, lon, accuracy, at, speed, mock)."""
    for e in range(ENGINEERS):
        owner = _owner(e)
        for d in range(WORK_DAYS):
            start = datetime(YEAR, 1, 1, 3, 30, tzinfo=UTC) + timedelta(days=d * 365 // WORK_DAYS)
            lat, lon = 12.5 + rng.random(), 77.0 + rng.random()
            for p in range(FIXES_PER_DAY):
                lat += (rng.random() - 0.5) * 0.01
                lon += (rng.random() - 0.5) * 0.01
                yield (f"track:{e}-{d}", p, f"fs-eng-{owner}", owner, lat, lon, 8.0,
                       start + timedelta(minutes=12 * p), 5.0, False)


GPS_COLUMNS = ("track_id", "position", "db_name", "owner", "lat", "lon", "accuracy_m", "at",
               "speed_mps", "mock")


def load_gps(engine: Engine, rng: random.Random) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY gps_points ({', '.join(GPS_COLUMNS)}) FROM STDIN") as copy:
                for row in gps_rows(rng):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(GPS_COLUMNS))
            sql = f"INSERT INTO gps_points ({', '.join(GPS_COLUMNS)}) VALUES ({marks})"
            cur.execute("BEGIN")
            rows: Any = ((*r[:7], r[7].strftime("%Y-%m-%d %H:%M:%S.%f"), *r[8:])
                         for r in gps_rows(rng))  # streamed: 2 million rows never in a list
            cur.executemany(sql, rows)
            cur.execute("COMMIT")
            return
        raw.commit()
    finally:
        raw.close()


def load(engine: Engine, tables: dict[str, list[Row]]) -> None:
    ordered = [t for t in Base.metadata.sorted_tables if t.name in tables]
    with engine.begin() as conn:
        for table in ordered:
            rows = tables[table.name]
            for i in range(0, len(rows), 20_000):
                conn.execute(table.insert(), rows[i:i + 20_000])
    load_gps(engine, random.Random(9))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def track_docs(count: int = 100, points: int = 1000) -> dict[str, list[dict[str, Any]]]:
    """Track documents of 10 engineers as phones send them (ISO times with +05:30)."""
    docs: dict[str, list[dict[str, Any]]] = {}
    start = datetime(YEAR, 11, 2, 9, tzinfo=TZ)
    for i in range(count):
        owner = _owner(i % 10)
        fixes = [{"lat": 12.9 + j * 1e-5, "lon": 77.6, "accuracy_m": 6.0, "mock": False,
                  "speed_mps": 3.0, "at": (start + timedelta(seconds=i * 2000 + j)).isoformat()}
                 for j in range(points)]
        docs.setdefault(f"fs-eng-{owner}", []).append({
            "_id": f"track:bench{i}", "_rev": "1-a", "type": "track", "owner": owner,
            "schema_version": 2, "device_id": "d", "created_at": start.isoformat(),
            "updated_at": start.isoformat(), "points": fixes})
    return docs


def _rolled_back(engine: Engine, work: Callable[[Session], None]) -> float:
    with make_session_factory(engine)() as session, session.begin():
        started = time.perf_counter()
        work(session)
        session.flush()
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


def ingest_ratio(engine: Engine) -> float:
    """Best of three, interleaved: bare executemany of ready rows vs the worker's path."""
    docs = track_docs()
    table: Table = Base.metadata.tables["gps_points"]
    ready = [row for db, batch in docs.items() for d in batch
             for row in project(d, db, NOW).tables["gps_points"]]

    def bare(session: Session) -> None:
        session.execute(table.insert(), ready)

    def ingest(session: Session) -> None:
        projection = SqlProjection(clock=lambda: NOW)
        for db, batch in docs.items():
            projection.apply(session, db, [Outcome(doc=d, status="accepted") for d in batch])

    bare_s = ingest_s = float("inf")
    for _ in range(3):
        bare_s = min(bare_s, _rolled_back(engine, bare))
        ingest_s = min(ingest_s, _rolled_back(engine, ingest))
    return bare_s / ingest_s


def report_medians(engine: Engine) -> dict[str, float]:
    """Median milliseconds per report: admin over 30 days, a head over a quarter."""
    service = ReportService(make_session_factory(engine), TZ)
    cases = [(Principal(0, "root", Role.ADMIN), ReportFilter(date(YEAR, 11, 1),
                                                             date(YEAR, 11, 30))),
             (Principal(ENGINEERS + 3, "head03", Role.HEAD, team_id=3),
              ReportFilter(date(YEAR, 7, 1), date(YEAR, 9, 30)))]
    medians: dict[str, float] = {}
    for name in REPORTS:
        times = []
        for i in range(RUNS):
            viewer, wanted = cases[i % 2]
            started = time.perf_counter()
            service.run(name, viewer, wanted)
            times.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(times)
    return medians


def rollup_rate(engine: Engine) -> float:
    """Points per second the travel rollup summarises (one week of the whole team)."""
    rollup = TravelRollup(make_session_factory(engine), TZ)
    started = time.perf_counter()
    rollup.rebuild(date(YEAR, 3, 2), date(YEAR, 3, 8))
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        points = conn.execute(text("SELECT sum(points) FROM daily_travel WHERE day BETWEEN "
                                   "'2026-03-02' AND '2026-03-08'")).scalar_one()
    return float(points or 0) / elapsed


def _dataset() -> dict[str, list[Row]]:
    rng = random.Random(7)
    tables = people()
    for part in (sales, funnel, field_work, activity):
        tables.update(part(rng))
    return tables


def measure(url: str, label: str, tables: dict[str, list[Row]]) -> dict[str, float]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        out = {f"gps_ingest_ratio_{label}": ingest_ratio(engine)}
        started = time.perf_counter()
        load(engine, tables)
        out[f"load_seconds_{label}"] = time.perf_counter() - started
        medians = report_medians(engine)
        out.update({f"report_{name}_ms_{label}": ms for name, ms in medians.items()})
        out[f"report_median_ms_{label}"] = statistics.median(medians.values())
        out[f"report_max_median_ms_{label}"] = max(medians.values())
        out[f"rollup_points_per_s_{label}"] = rollup_rate(engine)
        return out
    finally:
        engine.dispose()


def run() -> dict[str, float]:
    tables = _dataset()
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-location-") as tmp:
        results = measure(f"sqlite:///{Path(tmp) / 'location.db'}", "sqlite", tables)
    with postgres_server() as admin_url:
        url, name = create_database(admin_url)
        try:
            results.update(measure(url, "postgres", tables))
        finally:
            drop_database(admin_url, name)
    results["gps_ingest_ratio"] = min(results["gps_ingest_ratio_sqlite"],
                                      results["gps_ingest_ratio_postgres"])
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
