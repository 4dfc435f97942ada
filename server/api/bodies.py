"""JSON request bodies of the REST API are checked before any view parses them.

The views' parser (webargs, on the standard `json` module) recurses once per nesting level and
fails with a RecursionError near a thousand levels, and it accepts lone UTF-16 surrogates
("\\ud800") that no database can store. Both used to surface as 500s. orjson parses strictly
(valid Unicode only, at most 1024 levels); FieldSync's own bodies are a few levels deep, so
anything deeper than MAX_DEPTH is refused as well, with a reason, before the view runs.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask, request

from server.api.common import error

MAX_DEPTH = 32
PREFIX = "/api/"


def register(app: Flask) -> None:
    app.before_request(check_json_body)


def check_json_body() -> None:
    if not request.path.startswith(PREFIX) or not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw.strip():
        return
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        error(400, f"the request body is not valid JSON: {_short(exc)}")
    if depth(value) > MAX_DEPTH:
        error(400, f"the request body nests JSON more than {MAX_DEPTH} levels deep")


def depth(value: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _short(exc: orjson.JSONDecodeError) -> str:
    # orjson's message names the problem and its position, e.g. "depth limit exceeded: line 1
    # column 1026 (char 1025)" or "no matched low surrogate in string: …".
    return str(exc)[:200]
