"""Paths on the store as the gateway relays them (pure)."""

from __future__ import annotations

from urllib.parse import quote


def path_of(db: str, *parts: str) -> str:
    """A store path; every part is percent-encoded so no id can change the path's shape."""
    return "/".join([quote(db, safe=""), *(quote(p, safe="") for p in parts)])
