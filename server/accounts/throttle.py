"""The failed-login throttle: how long a user or an address must wait (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRule:
    """`free` failures inside `window` cost nothing; each further one doubles the wait."""

    free: int
    window: timedelta
    base_delay_s: float = 1.0
    max_delay_s: float = 900.0


PER_USER = ThrottleRule(free=5, window=timedelta(minutes=15))
# An office behind one NAT address has many people: allow more before slowing it down.
PER_ADDRESS = ThrottleRule(free=20, window=timedelta(minutes=15))


def retry_after_s(failures: Sequence[datetime], now: datetime, rule: ThrottleRule) -> int:
    """Seconds until the next attempt is allowed (0: allowed now)."""
    recent = sorted(t for t in failures if now - t <= rule.window)
    excess = len(recent) - rule.free
    if excess < 0:
        return 0
    delay = min(rule.base_delay_s * 2 ** excess, rule.max_delay_s)
    wait = (recent[-1] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(wait))
