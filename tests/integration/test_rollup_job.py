"""The travel rollup and the verification job on real SQL (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from server.bootstrap import Services
from server.jobs import build_scheduler
from server.location import GeofenceRules, geodesic_m
from server.reports.rollup import TravelRollup
from server.reports.sqlutil import zone
from server.reports.verification import VerificationJob
from server.sql.models.documents import Visit
from server.sql.models.master import Customer, Territory
from server.sql.models.reports import DailyTravel, LocationVerification
from server.sql.session import transaction
from sync.sql_projection import Outcome, SqlProjection
from tests.factories import make_track

TZ = zone("Asia/Kolkata")
START = datetime(2026, 11, 10, 9, 0, tzinfo=TZ)


def points(start: datetime, n: int, lat0: float = 12.90, step: float = 0.01) -> list[Any]:
    return [{"lat": lat0 + i * step, "lon": 77.60, "accuracy_m": 6.0, "mock": False,
             "at": (start + timedelta(minutes=i)).isoformat()} for i in range(n)]


class Clock:
    """A settable clock for the worker's processed_at stamps."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def ingest(services: Services, clock: Clock, doc: dict[str, Any], deleted: bool = False) -> None:
    with transaction(services.sessions) as session:
        SqlProjection(clock=clock).apply(session, "fs-eng-asha", [
            Outcome(doc=doc, status="accepted", deleted=deleted)])


def rows(services: Services) -> dict[date, DailyTravel]:
    with services.sessions() as session:
        return {r.day: r for r in session.execute(select(DailyTravel)).scalars()}


def test_rollup_follows_new_tracks_and_deletions(services: Services) -> None:
    clock = Clock()
    rollup = TravelRollup(services.sessions, TZ, clock=clock)
    first = {**make_track(points(START, 6)), "_rev": "1-a"}
    ingest(services, clock, first)
    assert rollup.run() == 1
    day = rows(services)[date(2026, 11, 10)]
    expected = geodesic_m(12.90, 77.60, 12.95, 77.60)
    assert abs(day.distance_m - expected) < 1.0 and day.points == 6
    clock.now += timedelta(hours=1)
    later = {**make_track(points(START + timedelta(hours=2), 6, lat0=13.0)), "_rev": "1-b"}
    ingest(services, clock, later)
    rollup.run()
    grown = rows(services)[date(2026, 11, 10)]
    assert grown.points == 12 and grown.distance_m > 2 * expected
    clock.now += timedelta(hours=1)
    ingest(services, clock, {"_id": later["_id"], "_rev": "2-c", "_deleted": True},
           deleted=True)
    rollup.run()
    assert rows(services)[date(2026, 11, 10)].points == 6


def test_days_end_at_local_midnight_and_rebuild_matches(services: Services) -> None:
    clock = Clock()
    late = datetime(2026, 11, 10, 23, 55, tzinfo=TZ)
    ingest(services, clock, {**make_track(points(late, 10, step=0.001)), "_rev": "1-a"})
    TravelRollup(services.sessions, TZ, clock=clock).run()
    incremental = rows(services)
    assert sorted(incremental) == [date(2026, 11, 10), date(2026, 11, 11)]
    assert (incremental[date(2026, 11, 10)].points, incremental[date(2026, 11, 11)].points) == \
        (5, 5)
    with transaction(services.sessions) as session:
        session.execute(delete(DailyTravel))
    TravelRollup(services.sessions, TZ, clock=clock).rebuild(date(2026, 11, 1),
                                                             date(2026, 11, 30))
    rebuilt = rows(services)
    assert {d: (r.points, round(r.distance_m, 3)) for d, r in rebuilt.items()} == \
        {d: (r.points, round(r.distance_m, 3)) for d, r in incremental.items()}


def test_verification_is_redone_for_a_new_revision_and_dropped_for_deleted(
        services: Services) -> None:
    with transaction(services.sessions) as session:
        session.add(Territory(code="south", name="South"))
        session.flush()
        session.add(Customer(customer_id="C-1", name="Kaveri", state_code="29", lat=12.9716,
                             lon=77.5946, territory_code="south"))
        session.add(Visit(doc_id="visit:v1", db_name="fs-eng-asha", owner="asha", rev="1-a",
                          rev_pos=1, created_at=START, updated_at=START, purpose="demo",
                          customer_id="C-1", check_in_at=START, check_in_lat=12.9716,
                          check_in_lon=77.60, check_in_accuracy_m=10.0))
    job = VerificationJob(services.sessions, GeofenceRules(radius_m=300))
    assert job.run() == 1 and job.run() == 0
    with services.sessions() as session:
        first = session.get(LocationVerification, "visit:v1")
        assert first is not None and first.status == "outside" and first.distance_m
    with transaction(services.sessions) as session:
        visit = session.get(Visit, "visit:v1")
        assert visit is not None
        visit.rev, visit.check_in_lon = "2-b", 77.5947
    assert job.run() == 1
    with services.sessions() as session:
        again = session.get(LocationVerification, "visit:v1")
        assert again is not None and (again.status, again.rev) == ("inside", "2-b")
    with transaction(services.sessions) as session:
        session.execute(delete(Visit))
    job.run()
    with services.sessions() as session:
        assert session.get(LocationVerification, "visit:v1") is None


def test_the_scheduler_runs_the_report_jobs(services: Services) -> None:
    assert "report_rollups" in {job.id for job in build_scheduler(services).get_jobs()}
