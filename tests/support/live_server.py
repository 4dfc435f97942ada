"""The Flask app served on a real port in a thread, stoppable and restartable on that port."""

from __future__ import annotations

import threading
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from server.app import create_app
from server.bootstrap import Services
from sync.embedded import free_port


class LiveServer:
    """FieldSync's app (REST API, sync gateway and the built web app) on 127.0.0.1, threaded:
    the browser tests load the app from the server they test, on one origin, as people do."""

    def __init__(self, services: Services, port: int | None = None,
                 web_dist: Path | None = None) -> None:
        self.services = services
        self.port = port or free_port()
        self.web_dist = web_dist
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        app = create_app(services=self.services, web_dist=self.web_dist)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
