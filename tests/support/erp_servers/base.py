"""The threaded HTTP server, request and response types and fault switchboard of the test ERPs."""

from __future__ import annotations

import base64
import json
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Faults a test can switch on for order creates:
#   429, 429-date, 503: refused with Retry-After (seconds; an HTTP date for 429-date)
#   500, 502: refused without creating
#   504-after-commit: created, then a 504 answer
#   slow: created, then an answer later than the client waits
#   drop: the connection dies before anything happens
#   drop-after-commit: created, then the connection dies before the answer
#   token-expiry (SAP): every CSRF token expires before this request
FAULTS = ("429", "429-date", "503", "500", "502", "504-after-commit", "slow", "drop",
          "drop-after-commit")


@dataclass
class Request:
    """What a handler needs from an HTTP request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    """An answer, or `drop` to kill the connection without one."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay_s: float = 0.0


def json_response(status: int, payload: Any, *, pretty: bool = False,
                  content_type: str = "application/json",
                  headers: dict[str, str] | None = None) -> Response:
    text = (json.dumps(payload, indent=2, separators=(",", " : ")) if pretty
            else json.dumps(payload))
    return Response(status, text.encode(), {"Content-Type": content_type, **(headers or {})})


def text_response(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, text.encode(),
                    {"Content-Type": "text/plain; charset=utf-8", **(headers or {})})


class FaultPlan:
    """One-shot faults in order, or faults at random at a given rate (seeded)."""

    def __init__(self) -> None:
        self._queue: deque[str] = deque()
        self._rate = 0.0
        self._kinds: tuple[str, ...] = ()
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self.fired: list[str] = []

    def push(self, *kinds: str) -> None:
        with self._lock:
            self._queue.extend(kinds)

    def randomly(self, rate: float, kinds: Iterable[str], seed: int = 7) -> None:
        with self._lock:
            self._rate, self._kinds, self._rng = rate, tuple(kinds), random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rate = 0.0

    def take(self) -> str | None:
        with self._lock:
            fault = None
            if self._queue:
                fault = self._queue.popleft()
            elif self._kinds and self._rng.random() < self._rate:
                fault = self._rng.choice(self._kinds)
            if fault:
                self.fired.append(fault)
            return fault


def refusal(fault: str) -> Response | None:
    """The answer for faults that refuse before anything is created, else None."""
    if fault in ("429", "503"):
        return text_response(int(fault), "Too many requests" if fault == "429"
                             else "Service unavailable", {"Retry-After": "2"})
    if fault == "429-date":
        when = datetime.now(UTC) + timedelta(seconds=3)
        return text_response(429, "Too many requests",
                             {"Retry-After": format_datetime(when, usegmt=True)})
    if fault in ("500", "502"):
        return text_response(int(fault), "Internal server error")
    if fault == "drop":
        return Response(drop=True)
    return None


def after_commit(fault: str | None, answer: Response, slow_s: float) -> Response:
    """The answer to a create that did happen, spoiled by a commit-then-fail fault."""
    if fault == "504-after-commit":
        return text_response(504, "Gateway Time-out")
    if fault == "drop-after-commit":
        return Response(drop=True)
    if fault == "slow":
        answer.delay_s = slow_s
    return answer


def basic_user(headers: dict[str, str]) -> tuple[str, str] | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    user, _, password = base64.b64decode(value).decode().partition(":")
    return user, password


class ErpTestServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a free port; subclasses implement `handle`."""

    slow_s = 0.5
    latency_s = 0.0  # added to every answer, so concurrent clients really overlap

    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ErpTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.requests.append((request.method, request.path))
        if self.latency_s:
            time.sleep(self.latency_s)
        return self.handle(request)

    def handle(self, request: Request) -> Response:
        raise LookupError(request.path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle plus delayed ACK cost 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        from urllib.parse import unquote

        request = Request(self.command, unquote(parts.path), query, headers, body)
        response = self.server.app.dispatch(request)  # type: ignore[attr-defined]
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if response.delay_s:
            time.sleep(response.delay_s)
        self._write(response)

    def _write(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_PATCH = do_DELETE = do_PUT = _serve  # noqa: N815
