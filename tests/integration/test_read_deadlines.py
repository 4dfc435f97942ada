"""Read deadlines of a client connection, on a local socket pair with a clock the test moves."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sync.gateway.read_deadlines import BodyTooSlow, DeadlineSocket, ReadLimits

LIMITS = ReadLimits(header_s=2.0, body_s=3.0, min_rate=100.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def test_headers_past_their_bound_get_a_408_and_end(pair: tuple[socket.socket, socket.socket]
                                                    ) -> None:
    server, client = pair
    clock = Clock()
    sock = DeadlineSocket(server, LIMITS, clock)
    client.sendall(b"GET / HTTP/1.1\r\n")
    assert sock.recv(100) == b"GET / HTTP/1.1\r\n"
    clock.now += 2.5
    assert sock.recv(100) == b""
    assert client.recv(100).startswith(b"HTTP/1.1 408")
    assert sock.recv(100) == b""  # ended for good


def test_a_silent_new_connection_is_closed_without_an_answer(
        pair: tuple[socket.socket, socket.socket]) -> None:
    server, client = pair
    sock = DeadlineSocket(server, ReadLimits(header_s=0.2, body_s=3.0, min_rate=100.0))
    assert sock.recv(100) == b""  # waited its 0.2 s on the real clock
    client.settimeout(0.2)
    with pytest.raises(TimeoutError):
        client.recv(100)


def test_a_body_earns_time_with_each_byte_and_a_drip_runs_out(
        pair: tuple[socket.socket, socket.socket]) -> None:
    server, client = pair
    clock = Clock()
    sock = DeadlineSocket(server, LIMITS, clock)
    sock.start_body()
    client.sendall(b"x" * 500)
    assert len(sock.recv(1000)) == 500  # 500 bytes at 100 bytes/s: five more seconds
    clock.now += 7.9
    client.sendall(b"y")
    assert sock.recv(1000) == b"y"
    clock.now += 0.2
    with pytest.raises(BodyTooSlow):
        sock.recv(1000)
    assert sock.recv(1000) == b""


def test_a_kept_alive_connection_waits_idle_then_times_the_next_request(
        pair: tuple[socket.socket, socket.socket]) -> None:
    server, client = pair
    clock = Clock()
    sock = DeadlineSocket(server, LIMITS, clock)
    sock.start_body()
    sock.finish_request()
    clock.now += 60  # idle between requests: gunicorn's keep-alive decides, not these bounds
    client.sendall(b"GET /next")
    assert sock.recv(100) == b"GET /next"
    clock.now += 1.5
    client.sendall(b" HTTP/1.1\r\n")
    assert sock.recv(100) == b" HTTP/1.1\r\n"
    clock.now += 1.0
    assert sock.recv(100) == b""
