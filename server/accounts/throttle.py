"""The failed-login throttle: how long an attempt must wait, per address and per user (pure).

A throttle slows guessing down; it never locks anyone out. Each rule lets a few failures go
free, then asks for a wait that doubles with every further failure (429 with Retry-After); once
the wait is over the right password is accepted again. Attempts refused during a wait are not
failures, so hammering does not lengthen it.
"""

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


# Failures from one address, whatever usernames they tried (password spraying). A successful
# login does not clear it: otherwise one valid account would reset it at will. An office behind
# one NAT address has many people, hence the larger free count and shorter cap.
PER_ADDRESS = ThrottleRule(free=20, window=timedelta(minutes=15), max_delay_s=300.0)
# Failures for one username from one address; the user's own success there clears it.
PER_USER_AT_ADDRESS = ThrottleRule(free=5, window=timedelta(minutes=15))
# Failures for one username from every address (one account guessed from many addresses). It
# does not apply at an address where the user signed in lately, so strangers failing against a
# username cannot keep its owner out of the places the owner works from.
PER_USER = ThrottleRule(free=5, window=timedelta(minutes=15))
KNOWN_ADDRESS_FOR = timedelta(days=30)
WINDOW = max(PER_ADDRESS.window, PER_USER_AT_ADDRESS.window, PER_USER.window)


@dataclass(frozen=True)
class LoginHistory:
    """What the login log says about one attempt's username and address."""

    from_address: Sequence[datetime] = ()  # failures from the address, any username
    for_user: Sequence[datetime] = ()  # failures for the username, any address
    for_user_at_address: Sequence[datetime] = ()  # since the user's last login there
    known_address: bool = False  # the user signed in from this address lately


def retry_after_s(failures: Sequence[datetime], now: datetime, rule: ThrottleRule) -> int:
    """Seconds until the next attempt is allowed (0: allowed now)."""
    recent = sorted(t for t in failures if now - t <= rule.window)
    excess = len(recent) - rule.free
    if excess < 0:
        return 0
    delay = min(rule.base_delay_s * 2 ** excess, rule.max_delay_s)
    wait = (recent[-1] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(wait))


def wait_s(history: LoginHistory, now: datetime) -> int:
    """Seconds this attempt must wait: the longest wait any rule asks for."""
    waits = [retry_after_s(history.from_address, now, PER_ADDRESS),
             retry_after_s(history.for_user_at_address, now, PER_USER_AT_ADDRESS)]
    if not history.known_address:
        waits.append(retry_after_s(history.for_user, now, PER_USER))
    return max(waits)
