"""Converting document values for SQL: money to Decimal, instants to UTC, with the path at fault."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Row = dict[str, Any]
LOC_FIELDS = ("lat", "lon", "accuracy_m", "at", "mock")
MONEY = re.compile(r"-?[0-9]{1,14}\.[0-9]{2}")


class ProjectionError(ValueError):
    """A document that cannot be turned into rows; `field` names the value at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


def get(container: Any, key: str, path: str, *, required: bool = True) -> Any:
    if type(container) is not dict and not isinstance(container, dict):
        raise ProjectionError("must be an object", path)
    value = container.get(key)
    if value is None and required:
        raise ProjectionError("is required", f"{path}.{key}" if path else key)
    return value


def obj(container: Any, key: str, path: str = "", *, required: bool = True) -> dict[str, Any]:
    value = get(container, key, path, required=required)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProjectionError("must be an object", join(path, key))
    return value


def text(container: Any, key: str, path: str = "", *, required: bool = True) -> str | None:
    value = get(container, key, path, required=required)
    if value is None or isinstance(value, str):
        return value
    raise ProjectionError(f"must be text, not {value!r}", join(path, key))


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def money(container: Any, key: str, path: str = "", *, required: bool = True) -> Decimal | None:
    value = get(container, key, path, required=required)
    if value is None:
        return None
    if isinstance(value, str) and MONEY.fullmatch(value):
        return Decimal(value)
    raise ProjectionError(f"must be money like \"1180.00\", not {value!r}", join(path, key))


def rate(container: Any, key: str, path: str = "") -> Decimal:
    value = get(container, key, path)
    try:
        parsed = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        parsed = None
    if parsed is not None and parsed.is_finite():
        return parsed
    raise ProjectionError(f"must be a decimal string like \"18\", not {value!r}", join(path, key))


def number(container: Any, key: str, path: str = "", *, required: bool = True) -> float | None:
    value = get(container, key, path, required=required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProjectionError(f"must be a number, not {value!r}", join(path, key))
    return float(value)


def parse_datetime(value: Any, where: str = "") -> datetime:
    """An ISO 8601 date-time with offset, converted to UTC (SQL keeps every instant in UTC)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ProjectionError(f"must be a date-time with offset, not {value!r}", where)
    return parsed.astimezone(UTC)


def moment(container: Any, key: str, path: str = "", *, required: bool = True) -> datetime | None:
    value = get(container, key, path, required=required)
    return None if value is None else parse_datetime(value, join(path, key))


def day(container: Any, key: str, path: str = "", *, required: bool = True) -> date | None:
    value = get(container, key, path, required=required)
    if value is None:
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ProjectionError(f"must be a date YYYY-MM-DD, not {value!r}", join(path, key))


def location(loc: Any, prefix: str, path: str) -> Row:
    if loc is None:
        return {prefix + name: None for name in LOC_FIELDS}
    return {
        prefix + "lat": number(loc, "lat", path),
        prefix + "lon": number(loc, "lon", path),
        prefix + "accuracy_m": number(loc, "accuracy_m", path, required=False),
        prefix + "at": moment(loc, "at", path, required=False),
        prefix + "mock": bool(loc.get("mock", False)),
    }
