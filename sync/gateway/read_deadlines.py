"""Read deadlines for one client connection: headers and bodies that do not arrive are cut off.

gunicorn's gevent worker waits for a request body as long as the client keeps its socket open,
so a few thousand sockets that send a header and then a byte now and then hold every
connection slot of a serving process. Each connection gets deadlines instead, in the manner of
Apache's mod_reqtimeout:

- headers: within `header_s` of the connection being accepted, or, on a kept-alive
  connection, of the next request's first byte (the idle wait before that byte is bounded by
  gunicorn's `keepalive`);
- body: within `body_s`, plus one second for every `min_rate` bytes received, so a slow but
  steady phone link is never cut off while a drip is.

Only reads are bounded. A live `_changes` feed answers slowly by design and reads nothing
while it waits, so it is never affected.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from werkzeug.exceptions import RequestTimeout

HEADERS_TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                    b"Content-Type: text/plain\r\nContent-Length: 45\r\n\r\n"
                    b"The request headers did not arrive in time.\r\n")


@dataclass(frozen=True)
class ReadLimits:
    """How long a request may take to arrive (see the module docstring)."""

    header_s: float
    body_s: float
    min_rate: float  # bytes per second


class BodyTooSlow(RequestTimeout):
    """Raised inside the application's body read: Flask answers it with a 408."""

    description = ("The request body did not arrive in time: send it at a steady pace "
                   "or in smaller requests.")


class Phase(Enum):
    """Where in its request a connection is."""

    HEADERS = "headers"
    BODY = "body"
    IDLE = "idle"


class DeadlineSocket:
    """A client socket whose reads keep to the deadlines; anything else goes to the socket."""

    def __init__(self, sock: socket.socket, limits: ReadLimits,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sock = sock
        self._limits = limits
        self._clock = clock
        self._phase = Phase.HEADERS
        self._started = clock()
        self._received = 0  # bytes of the current phase
        self._expired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def start_body(self) -> None:
        """The request's headers are parsed; whatever is read now belongs to its body."""
        self._enter(Phase.BODY)

    def finish_request(self) -> None:
        """The answer is sent; the connection waits (kept alive) for another request."""
        self._enter(Phase.IDLE)

    def recv(self, size: int, *flags: int) -> bytes:
        if self._expired:
            return b""  # the server then closes the connection
        if self._phase is Phase.IDLE:
            data = self._sock.recv(size, *flags)
            if data:
                self._enter(Phase.HEADERS)
                self._received = len(data)
            return data
        remaining = self._deadline() - self._clock()
        if remaining <= 0:
            return self._expire()
        self._sock.settimeout(remaining)
        try:
            data = self._sock.recv(size, *flags)
        except TimeoutError:
            return self._expire()
        finally:
            self._sock.settimeout(None)
        self._received += len(data)
        return data

    def _enter(self, phase: Phase) -> None:
        self._phase = phase
        self._started = self._clock()
        self._received = 0

    def _deadline(self) -> float:
        if self._phase is Phase.HEADERS:
            return self._started + self._limits.header_s
        return self._started + self._limits.body_s + self._received / self._limits.min_rate

    def _expire(self) -> bytes:
        self._expired = True
        if self._phase is Phase.BODY:
            raise BodyTooSlow()
        if self._received:  # a request had begun: say why it ends
            try:
                self._sock.settimeout(1.0)
                self._sock.sendall(HEADERS_TOO_SLOW)
            except OSError:
                pass
        return b""
