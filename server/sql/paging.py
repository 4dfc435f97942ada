"""One page of a list: the rows of a sorted SQL query (or of items in memory) and the total.

The REST edge reads `page`, `page_size` and `sort` from the query string; the services that
build read models page with these helpers, so a list answers the same wherever it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """One page of a list and the total number of items across all pages."""

    items: list[Any]
    page: int
    page_size: int
    total: int


def sort_clause(args: Mapping[str, Any], columns: Mapping[str, Any],
                default: str) -> list[Any]:
    """ORDER BY terms for `sort`, with the default last so pages are stable."""
    wanted = args.get("sort") or default
    terms = []
    for key in dict.fromkeys((wanted, default)):
        column = columns[key.removeprefix("-")]
        terms.append(column.desc() if key.startswith("-") else column.asc())
    return terms


def paginate(session: Session, stmt: Select[Any], args: Mapping[str, Any],
             columns: Mapping[str, Any], default: str) -> Page:
    """Run `stmt` for one page, sorted by args' `sort` (keys of `columns`), with the total."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page, size = int(args.get("page", 1)), int(args.get("page_size", DEFAULT_PAGE_SIZE))
    rows = session.scalars(stmt.order_by(*sort_clause(args, columns, default))
                           .offset((page - 1) * size).limit(size)).all()
    return Page(list(rows), page, size, int(total))


def page_of(items: Iterable[T], args: Mapping[str, Any], key: Callable[[T], Any] | None = None,
            reverse: bool = False) -> Page:
    """Paginate items already in memory (small lists such as a conflict's history)."""
    ordered = sorted(items, key=key, reverse=reverse) if key is not None else list(items)
    page, size = int(args.get("page", 1)), int(args.get("page_size", DEFAULT_PAGE_SIZE))
    return Page(ordered[(page - 1) * size: page * size], page, size, len(ordered))
