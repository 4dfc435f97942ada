"""Live `_changes` feeds without one upstream connection per phone: one watcher per database.

Each process keeps at most one watcher per store database that some feed is waiting on. The
watcher holds a single upstream longpoll and bumps a generation counter when the database
changes; waiting feeds sleep on a condition and wake on the bump (or on a local write).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from sync.gateway.errors import BusyError, GatewayError, TooManyRequestsError
from sync.gateway.paths import path_of
from sync.gateway.upstream import Upstream

log = logging.getLogger(__name__)


@dataclass
class _Watch:
    cond: threading.Condition = field(default_factory=threading.Condition)
    generation: int = 0
    waiters: int = 0
    running: bool = False
    idle_since: float = field(default_factory=time.monotonic)


class ChangeHub:
    """Wakes the feeds of a database when it changes; shared by all requests of a process."""

    def __init__(self, upstream: Upstream, *, poll_s: float = 25.0, linger_s: float = 5.0
                 ) -> None:
        self.upstream = upstream
        self.poll_s = poll_s
        self.linger_s = linger_s
        self._lock = threading.Lock()
        self._watches: dict[str, _Watch] = {}

    def enter(self, db: str) -> int:
        """Register a waiting feed; returns the generation to wait past."""
        with self._lock:
            watch = self._watches.setdefault(db, _Watch())
            watch.waiters += 1
            start = not watch.running
            watch.running = True
        if start:
            threading.Thread(target=self._watch, args=(db, watch), daemon=True,
                             name=f"watch {db}").start()
        return watch.generation

    def leave(self, db: str) -> None:
        with self._lock:
            watch = self._watches.get(db)
            if watch is not None:
                watch.waiters -= 1
                watch.idle_since = time.monotonic()

    def wait(self, db: str, generation: int, timeout_s: float) -> int:
        """Block until the database's generation passes `generation` or time runs out."""
        watch = self._watches[db]
        with watch.cond:
            watch.cond.wait_for(lambda: watch.generation != generation, timeout=timeout_s)
            return watch.generation

    def notify(self, db: str) -> None:
        """A write through this process: wake its feeds without waiting for the watcher."""
        watch = self._watches.get(db)
        if watch is not None:
            self._bump(watch)

    @property
    def watching(self) -> int:
        return sum(1 for w in self._watches.values() if w.running)

    def _bump(self, watch: _Watch) -> None:
        with watch.cond:
            watch.generation += 1
            watch.cond.notify_all()

    def _watch(self, db: str, watch: _Watch) -> None:
        seq: str | None = None
        while not self._retire(db, watch):
            try:
                if seq is None:
                    seq = self._current_seq(db)
                    # Feeds that queried before `seq` was known re-query once: no change is lost.
                    self._bump(watch)
                    continue
                seq, changed = self._longpoll(db, seq)
                if changed:
                    self._bump(watch)
            except (GatewayError, requests.RequestException, ValueError) as exc:
                log.warning("watching %s: %s", db, exc)
                seq = None
                time.sleep(1.0)

    def _retire(self, db: str, watch: _Watch) -> bool:
        with self._lock:
            idle = watch.waiters <= 0 and time.monotonic() - watch.idle_since > self.linger_s
            if idle:
                watch.running = False
                self._watches.pop(db, None)
            return idle

    def _current_seq(self, db: str) -> str:
        status, info = self.upstream.json("GET", path_of(db))
        if status != 200:
            raise GatewayError(f"database info answered {status}")
        return str(info["update_seq"])

    def _longpoll(self, db: str, seq: str) -> tuple[str, bool]:
        params = {"feed": "longpoll", "since": seq, "limit": "1",
                  "timeout": str(int(self.poll_s * 1000))}
        try:
            # The embedded store ignores `timeout`: our read timeout bounds the wait instead.
            status, body = self.upstream.json("GET", path_of(db, "_changes"), params=params,
                                              timeout_s=self.poll_s + 2)
        except GatewayError as exc:
            if isinstance(exc.__cause__, requests.Timeout):
                return seq, False
            raise
        if status != 200:
            raise GatewayError(f"changes answered {status}")
        return str(body.get("last_seq", seq)), bool(body.get("results"))


class FeedSlots:
    """How many live feeds each engineer holds in this process, up to a cap per engineer.

    Counted per process (a phone's feeds may land on any gateway process, so the cap across a
    deployment is this times the number of processes); enough to stop one token from tying up
    a process's connections with a thousand idle feeds.
    """

    def __init__(self, per_user: int, retry_after_s: int, per_process: int | None = None) -> None:
        self.per_user = per_user
        # Below the process's connection limit, so a process full of idle feeds still answers
        # logins, pushes and /healthz (at the limit it would accept nothing at all).
        self.per_process = per_process
        self.retry_after_s = retry_after_s
        self._lock = threading.Lock()
        self._held: dict[str, int] = {}
        self._total = 0

    def take(self, user: str) -> Callable[[], None]:
        """Hold one slot for `user`; returns the function that gives it back (once)."""
        with self._lock:
            held = self._held.get(user, 0)
            if self.per_process is not None and self._total >= self.per_process:
                raise BusyError(
                    f"this server holds {self._total} live feeds, as many as it may: the phone "
                    "tries again shortly (or another server behind the same address answers)",
                    self.retry_after_s)
            if held >= self.per_user:
                raise TooManyRequestsError(
                    f"{user} already has {held} live feeds open here, the most one engineer may"
                    " hold: close feeds another device or tab no longer needs, or retry later",
                    self.retry_after_s)
            self._held[user] = held + 1
            self._total += 1
        given_back = threading.Event()

        def give_back() -> None:
            with self._lock:
                if given_back.is_set():
                    return
                given_back.set()
                self._total -= 1
                left = self._held.get(user, 1) - 1
                if left > 0:
                    self._held[user] = left
                else:
                    self._held.pop(user, None)

        return give_back

    def held(self, user: str) -> int:
        with self._lock:
            return self._held.get(user, 0)
