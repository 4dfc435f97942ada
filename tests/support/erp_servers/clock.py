"""A clock the tests move by hand: backoff sleeps advance it instead of waiting."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Starts just after the real time (orders enqueued before are due) and moves when told."""

    def __init__(self, lead_s: float = 5.0) -> None:
        self._now = datetime.now(UTC) + timedelta(seconds=lead_s)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self._now += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)
