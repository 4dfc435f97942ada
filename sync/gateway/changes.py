"""The `_changes` endpoint: normal and longpoll feeds, bounded by a gateway-side timeout."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sync.gateway import codec
from sync.gateway.errors import BadRequestError, GatewayError
from sync.gateway.paths import path_of

PASSED = ("since", "limit", "style", "include_docs", "conflicts", "descending",
          "attachments", "att_encoding_info", "seq_interval")
BOOLEANS = ("include_docs", "conflicts", "descending", "attachments", "att_encoding_info")
MAX_WAIT_S = 60.0
MIN_HEARTBEAT_S = 1.0


@dataclass(frozen=True)
class ChangesQuery:
    """A checked `_changes` request."""

    params: dict[str, str]
    doc_ids: list[str] | None
    longpoll: bool
    wait_s: float
    heartbeat_s: float | None


def parse_query(args: Mapping[str, str], body: Any) -> ChangesQuery:
    """Check every parameter; never let the store see a filter it does not know."""
    feed = args.get("feed", "normal")
    if feed not in ("normal", "longpoll"):
        raise BadRequestError(f"feed={feed[:20]!r} is not offered: use normal or longpoll")
    params = {k: args[k] for k in PASSED if k in args}
    _check_params(params)
    doc_ids = _doc_ids(args, body)
    wait_s = min(_millis(args, "timeout", MAX_WAIT_S * 1000) / 1000, MAX_WAIT_S)
    beat = args.get("heartbeat")
    heartbeat_s = None
    if beat is not None:
        heartbeat_s = max(_millis(args, "heartbeat", 10_000) / 1000, MIN_HEARTBEAT_S)
    return ChangesQuery(params, doc_ids, feed == "longpoll", wait_s, heartbeat_s)


def _check_params(params: dict[str, str]) -> None:
    for name in BOOLEANS:
        if name in params and params[name] not in ("true", "false"):
            raise BadRequestError(f"{name} must be true or false")
    if "style" in params and params["style"] not in ("main_only", "all_docs"):
        raise BadRequestError("style must be main_only or all_docs")
    for name in ("limit", "seq_interval"):
        if name in params and not params[name].isdigit():
            raise BadRequestError(f"{name} must be a whole number")
    if len(params.get("since", "")) > 500:
        raise BadRequestError("since is too long to be a sequence")


def _millis(args: Mapping[str, str], name: str, default: float) -> float:
    raw = args.get(name)
    if raw is None or raw == "true":
        return default
    if not raw.isdigit():
        raise BadRequestError(f"{name} must be a number of milliseconds")
    return float(raw)


def _doc_ids(args: Mapping[str, str], body: Any) -> list[str] | None:
    name = args.get("filter")
    if name is None:
        return None
    if name != "_doc_ids":
        raise BadRequestError(
            f"filter {name[:40]!r} is not available through the gateway; only _doc_ids is")
    ids: Any = body.get("doc_ids") if isinstance(body, dict) else None
    if ids is None and "doc_ids" in args:
        try:
            ids = json.loads(args["doc_ids"])
        except ValueError:
            ids = None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequestError("filter=_doc_ids needs doc_ids: a JSON list of document ids")
    return ids


class StoreRelay(Protocol):
    """The store's HTTP API as the gateway relays it (sync/gateway/upstream.py: Upstream)."""

    def json(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]: ...


class FeedWaits(Protocol):
    """Where longpoll feeds wait for their database to change (sync/gateway/feeds.py)."""

    def enter(self, db: str) -> int: ...
    def leave(self, db: str) -> None: ...
    def wait(self, db: str, generation: int, timeout_s: float) -> int: ...


class ChangesFeed:
    """Answers one `_changes` request for one store database."""

    def __init__(self, upstream: StoreRelay, hub: FeedWaits, db: str) -> None:
        self.upstream = upstream
        self.hub = hub
        self.db = db

    def once(self, query: ChangesQuery) -> dict[str, Any]:
        """One normal `_changes` page, without design documents."""
        if query.doc_ids is not None:
            status, body = self.upstream.json(
                "POST", path_of(self.db, "_changes"),
                params={**query.params, "filter": "_doc_ids"},
                body=codec.dumps({"doc_ids": query.doc_ids}))
        else:
            status, body = self.upstream.json("GET", path_of(self.db, "_changes"),
                                              params=query.params)
        if status != 200 or not isinstance(body, dict):
            raise GatewayError(f"the store could not list changes ({status})")
        body["results"] = [r for r in body.get("results", [])
                           if not str(r.get("id", "")).startswith("_design/")]
        return body

    def start(self, query: ChangesQuery) -> tuple[dict[str, Any], int | None]:
        """The first page; with a longpoll and nothing new, also the generation to wait past.

        The feed registers with the hub before it queries, so a change landing between the
        query and the wait still wakes it. A returned generation must be given to `wait`.
        """
        generation = self.hub.enter(self.db) if query.longpoll else None
        try:
            page = self.once(query)
        except BaseException:
            if generation is not None:
                self.hub.leave(self.db)
            raise
        if generation is not None and page["results"]:
            self.hub.leave(self.db)
            generation = None
        return page, generation

    def wait(self, query: ChangesQuery, page: dict[str, Any], generation: int
             ) -> Iterator[bytes]:
        """Wait for a change (heartbeat newlines meanwhile), then answer like CouchDB."""
        deadline = time.monotonic() + query.wait_s
        try:
            while not page["results"]:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                seen = self.hub.wait(self.db, generation, min(remaining,
                                                              query.heartbeat_s or remaining))
                if seen == generation:
                    if query.heartbeat_s:
                        yield b"\n"
                    continue
                generation = seen
                page = self.once(query)
        finally:
            self.hub.leave(self.db)
        yield codec.dumps(page)
