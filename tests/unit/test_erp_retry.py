"""Backoff with jitter, Retry-After parsing and the outbox state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from erp_bridge.delivery import (
    ACCEPTED,
    FAILED,
    QUEUED,
    SENT,
    Accepted,
    Rejected,
    Retry,
    after_attempt,
)
from erp_bridge.retry import MAX_RETRY_AFTER_S, BackoffPolicy, parse_retry_after

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
POLICY = BackoffPolicy(base_s=2.0, cap_s=60.0)


def test_backoff_grows_is_capped_and_jittered() -> None:
    assert [POLICY.delay(n, lambda: 1.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert POLICY.delay(20, lambda: 1.0) == 60.0
    assert POLICY.delay(3, lambda: 0.0) == 1.0
    assert POLICY.next_delay(1, 30.0, lambda: 1.0) == 30.0
    assert POLICY.next_delay(1, 1e9, lambda: 1.0) == MAX_RETRY_AFTER_S


@pytest.mark.parametrize(("value", "server_date", "expected"), [
    ("120", None, 120.0),
    ("Sun, 29 Nov 2026 12:00:30 GMT", None, 30.0),
    ("Sun, 29 Nov 2026 12:00:30 GMT", "Sun, 29 Nov 2026 12:00:20 GMT", 10.0),
    ("Sun, 29 Nov 2026 11:00:00 GMT", None, 0.0),
    ("soon", None, None),
    (None, None, None),
])
def test_retry_after_seconds_or_http_date(value: str | None, server_date: str | None,
                                          expected: float | None) -> None:
    assert parse_retry_after(value, NOW, server_date) == expected


def test_accepted_and_rejected() -> None:
    done = after_attempt(Accepted("4711"), 0, 5, NOW, POLICY, 0.5)
    assert (done.status, done.attempts, done.dead) == (ACCEPTED, 1, False)
    refused = after_attempt(Rejected("Sold-to party 9 not defined"), 0, 5, NOW, POLICY, 0.5)
    assert (refused.status, refused.dead, refused.reason) == (FAILED, True,
                                                              "Sold-to party 9 not defined")


def test_retry_waits_and_remembers_an_unknown_outcome() -> None:
    later = after_attempt(Retry("503", retry_after_s=7.0), 1, 5, NOW, POLICY, 0.5)
    assert (later.status, later.next_attempt_at) == (QUEUED, NOW + timedelta(seconds=7))
    unknown = after_attempt(Retry("timeout", outcome_unknown=True), 0, 5, NOW, POLICY, 1.0)
    assert (unknown.status, unknown.outcome_unknown) == (SENT, True)
    assert unknown.next_attempt_at == NOW + timedelta(seconds=2)


def test_the_last_attempt_goes_to_the_dead_letters_with_the_erps_text() -> None:
    dead = after_attempt(Retry("503: Service unavailable"), 4, 5, NOW, POLICY, 0.5)
    assert dead.dead and dead.status == FAILED and dead.attempts == 5
    assert dead.reason.endswith("503: Service unavailable")
