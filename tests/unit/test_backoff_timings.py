"""Recovery timings: the worker's backoff and the supervisor's restarts stay within seconds."""

from __future__ import annotations

import random

from server.supervisor import RESTART_CAP_S, RESTART_RESET_S, Restarts
from sync.worker import Backoff


def test_worker_backoff_is_jittered_and_never_above_five_seconds() -> None:
    backoff = Backoff(rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(40)]
    assert max(delays) <= 5.0
    assert len({round(d, 6) for d in delays}) == len(delays)  # jittered, not a fixed ladder
    assert max(delays[:3]) <= 0.8  # the first retries come quickly
    backoff.reset()
    assert backoff.next_delay() <= 0.2


def test_supervisor_restarts_back_off_and_forgive_a_process_that_ran_a_while() -> None:
    restarts = Restarts(started_at={"worker": 0.0})
    waits = []
    for now in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0):
        waits.append(restarts.crashed("worker", now))
        restarts.started_at["worker"] = now
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, RESTART_CAP_S, RESTART_CAP_S]
    assert restarts.crashed("worker", 7.0 + RESTART_RESET_S) == 1.0
