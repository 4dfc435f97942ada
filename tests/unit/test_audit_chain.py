"""The audit trail's hash chain, without a database: sealing, and each kind of tampering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from server.audit.actor import SYSTEM, Actor, acting_as, current_actor
from server.audit.chain import (
    GENESIS,
    Entry,
    canonical_json,
    check_chain,
    seal,
    timestamp_text,
)


def chain(n: int) -> list[Entry]:
    rows: list[Entry] = []
    for i in range(n):
        prev_seq, prev_hash = (rows[-1].seq, rows[-1].hash) if rows else (0, GENESIS)
        entry = Entry(0, f"2026-11-30T10:00:0{i}.000000+00:00", "adam", "admin", "10.0.0.1", "",
                      "customer.update", "customer", f"C-{i}", canonical_json({"name": "old"}),
                      canonical_json({"name": f"new {i}"}))
        rows.append(seal(entry, prev_seq, prev_hash))
    return rows


def test_canonical_json_is_one_text_per_value() -> None:
    assert canonical_json({"b": 1, "a": [Decimal("1.50"), date(2026, 11, 30)]}) == \
        '{"a":["1.50","2026-11-30"],"b":1}'
    assert canonical_json({"name": "Śrī"}) == '{"name":"Śrī"}'
    assert canonical_json(None) == "null"


def test_timestamps_hash_the_same_from_any_offset_or_naive_utc() -> None:
    moment = datetime(2026, 11, 30, 5, 30, 0, 123456, tzinfo=UTC)
    ist = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert timestamp_text(ist) == timestamp_text(moment.replace(tzinfo=None)) == \
        "2026-11-30T05:30:00.123456+00:00"


def test_sealed_rows_chain_and_check_intact() -> None:
    rows = chain(5)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS and rows[1].prev_hash == rows[0].hash
    report = check_chain(rows, (5, rows[-1].hash))
    assert report.broken is None and report.rows == 5 and report.last_hash == rows[-1].hash


def test_an_empty_trail_is_intact() -> None:
    report = check_chain([], (0, GENESIS))
    assert report.broken is None and report.rows == 0


def test_an_edited_row_is_found() -> None:
    rows = chain(5)
    rows[2] = replace(rows[2], after=canonical_json({"name": "forged"}))
    report = check_chain(rows)
    assert report.broken is not None and report.broken.seq == 3
    assert "changed" in report.broken.problem and report.rows == 2


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    rows = chain(5)
    forged = replace(rows[2], actor="someone")
    rows[2] = replace(forged, hash=forged.content_hash())
    report = check_chain(rows)
    assert report.broken is not None and report.broken.seq == 4
    assert "does not follow row 3" in report.broken.problem


def test_a_deleted_row_is_found() -> None:
    rows = chain(5)
    del rows[1]
    report = check_chain(rows)
    assert report.broken is not None and report.broken.seq == 2
    assert "missing" in report.broken.problem


def test_deleted_last_rows_are_found_from_the_head() -> None:
    rows = chain(5)
    report = check_chain(rows[:3], (5, rows[-1].hash))
    assert report.broken is not None and report.broken.seq == 4
    assert "4 to 5 were deleted" in report.broken.problem


def test_swapped_rows_are_found() -> None:
    rows = chain(5)
    second, third = rows[1], rows[2]
    rows[1] = replace(third, seq=2)
    rows[2] = replace(second, seq=3)
    report = check_chain(rows)
    assert report.broken is not None and report.broken.seq == 2


def test_the_actor_is_system_unless_set_and_is_restored_after() -> None:
    assert current_actor() == SYSTEM
    with acting_as(Actor("adam", "admin", "10.0.0.1")):
        assert current_actor().username == "adam"
        with acting_as(Actor("cli:root", "cli")):
            assert current_actor().role == "cli"
        assert current_actor().username == "adam"
    assert current_actor() == SYSTEM
