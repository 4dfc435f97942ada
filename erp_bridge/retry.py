"""Pure: capped exponential backoff with full jitter, and `Retry-After` parsing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

# A Retry-After longer than this is taken as a misconfigured ERP, not a real instruction.
MAX_RETRY_AFTER_S = 6 * 3600.0


@dataclass(frozen=True)
class BackoffPolicy:
    """Delay before attempt n+1: uniform in [base/2, min(cap, base * 2**(n-1))] ("jitter")."""

    base_s: float = 2.0
    cap_s: float = 300.0

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))
        floor = min(self.base_s / 2, ceiling)
        return floor + (ceiling - floor) * rand()

    def next_delay(self, attempts: int, retry_after_s: float | None,
                   rand: Callable[[], float] = random.random) -> float:
        """The ERP's own `Retry-After` wins when it gave one; otherwise our backoff."""
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), MAX_RETRY_AFTER_S)
        return self.delay(attempts, rand)


def parse_retry_after(value: str | None, now: datetime,
                      server_date: str | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110).

    An HTTP date is measured against the response's own `Date` header when present, so a
    skewed local clock does not stretch or cut the wait.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(server_date) if server_date else None
    base = reference or now
    return max((when - base).total_seconds(), 0.0)


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None
