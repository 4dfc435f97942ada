"""Polling with a deadline, for tests that wait on other processes."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll `check` until it holds; returns the seconds it took, fails naming `what` after."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)
    return time.monotonic() - started
