"""Raw HTTP to the store as its admin, with pooled connections, for the gateway's pass-through."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sync.gateway import codec
from sync.gateway.errors import UpstreamError

CHUNK = 64 * 1024


class Upstream:
    """One pooled session per process; gevent makes its sockets cooperative under gunicorn."""

    def __init__(self, url: str, auth: tuple[str, str] | None, *, timeout_s: float = 60.0,
                 pool_size: int = 64) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.auth = auth
        self.username = auth[0] if auth else ""
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                body: bytes | None = None, stream: bool = False,
                timeout_s: float | None = None,
                headers: Mapping[str, str] | None = None) -> requests.Response:
        sent = {"Accept": "application/json", **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        try:
            return self.session.request(
                method, f"{self.url}/{path}", params=params, data=body, headers=sent,
                stream=stream, timeout=(5.0, timeout_s or self.timeout_s))
        except requests.RequestException as exc:
            raise UpstreamError(f"the document store is unreachable, try again ({exc})") from exc

    def json(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        response = self.request(method, path, **kwargs)
        try:
            return response.status_code, codec.loads(response.content)
        except ValueError as exc:
            raise UpstreamError("the document store answered with something not JSON") from exc
        finally:
            response.close()


def stream_body(response: requests.Response) -> Iterator[bytes]:
    """Relay a response body in chunks and always give the connection back."""
    try:
        yield from response.iter_content(CHUNK)
    finally:
        response.close()
