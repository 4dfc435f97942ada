"""gunicorn's gevent worker with read deadlines on every client connection.

Imported by gunicorn inside `fieldsync serve` only (it imports gevent, which must patch the
standard library first).
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.workers.ggevent import GeventWorker

from sync.gateway.read_deadlines import DeadlineSocket, ReadLimits


class DeadlineWorker(GeventWorker):
    """Each connection's reads keep to the limits of sync/gateway/read_deadlines.py."""

    read_limits: ReadLimits

    def init_process(self) -> None:
        settings = self.app.settings
        self.read_limits = ReadLimits(header_s=settings.http_header_timeout_s,
                                      body_s=settings.http_body_timeout_s,
                                      min_rate=float(settings.http_body_min_rate))
        super().init_process()

    def handle(self, listener: socket.socket, client: socket.socket, addr: Any) -> None:
        super().handle(listener, DeadlineSocket(client, self.read_limits), addr)

    def handle_request(self, listener_name: Any, req: Any, sock: DeadlineSocket,
                       addr: Any) -> None:
        sock.start_body()
        try:
            super().handle_request(listener_name, req, sock, addr)
        finally:
            sock.finish_request()
