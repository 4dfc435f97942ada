"""`fieldsync serve`: gunicorn with gevent workers; an idle live feed costs a greenlet, no thread.

Each worker process holds thousands of waiting `_changes` longpolls (each one a greenlet and a
socket) and one upstream watcher per database those feeds wait on. The app is built inside each
worker, after gevent has patched the standard library.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from server.config import Settings

WORKER_CONNECTIONS = 5000
# Longer than the longest longpoll (60 s) so that waiting feeds are never killed as hung.
TIMEOUT_S = 120


def gunicorn_options(settings: Settings, workers: int | None = None) -> dict[str, Any]:
    """The gunicorn configuration `serve` runs with."""
    count = workers or int(settings.extra.get("workers", "0") or 0) or min(os.cpu_count() or 1, 4)
    return {
        "bind": f"{settings.http_host}:{settings.http_port}",
        "workers": count,
        # gevent, with deadlines for reading each request (sync/gateway/read_deadlines.py).
        "worker_class": "sync.gateway.worker_class.DeadlineWorker",
        "worker_connections": WORKER_CONNECTIONS,
        "timeout": TIMEOUT_S,
        "graceful_timeout": 10,
        "keepalive": 75,  # phones keep their connection between replication batches
        "backlog": 2048,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "preload_app": False,
    }


class FieldSyncServer(BaseApplication):
    """gunicorn driven from Python with FieldSync's settings object."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from server.app import create_app

        return create_app(self.settings)


def serve(settings: Settings, *, workers: int | None = None) -> None:
    """Run the REST API and the sync gateway until interrupted."""
    FieldSyncServer(settings, gunicorn_options(settings, workers)).run()
