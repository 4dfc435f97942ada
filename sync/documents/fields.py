"""Field checks shared by all document shapes; each records a Problem instead of raising."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sync.documents.errors import InvalidValue, Problem
from sync.documents.pricing import describe, parse_money

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
PLAIN_MONEY = re.compile(r"[0-9]{1,12}\.[0-9]{2}")
PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?")
_INDEX = re.compile(r"\[\d+\]")
DATE_EXAMPLE = '"2026-11-29"'
DATETIME_EXAMPLE = '"2026-11-29T10:15:00+05:30"'


class Checks:
    """Collects the problems found while checking one document."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, rule: str = "") -> None:
        """Record a problem; `rule` names it in the message catalogue (`quantity.too_small`)."""
        self.problems.append(Problem(path, message, message_key(path, rule) if rule else ""))


def generic_path(path: str) -> str:
    """`lines[1].quantity` -> `lines.quantity`: the field as the message catalogue names it."""
    return _INDEX.sub("", path)


def message_key(path: str, rule: str) -> str:
    """The catalogue key of a refusal: the field's generic path and the rule it broke."""
    base = generic_path(path)
    return f"{base}.{rule}" if base else rule


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _get(c: Checks, obj: dict[str, Any], key: str, prefix: str, required: bool) -> Any:
    value = obj.get(key)
    if value is None and required:
        c.add(join(prefix, key), f"{key} is missing", "required")
    return value


def text(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, required: bool = True,
    max_len: int = 200, choices: tuple[str, ...] = (),
) -> str | None:
    """A non-empty string, at most `max_len` characters, optionally one of `choices`."""
    value = obj.get(key)
    if value.__class__ is str and (value in choices if choices else 0 < len(value) <= max_len
                                   and not value.isspace()):
        return value
    if value is None:
        if required:
            c.add(join(prefix, key), f"{key} is missing", "required")
        return None
    if not isinstance(value, str):
        c.add(join(prefix, key), f"{key} must be text, not {describe(value)}", "type")
    elif choices and value not in choices:
        c.add(join(prefix, key), f"{key} must be one of {', '.join(choices)}, not \"{value}\"",
              "choice")
    elif not value.strip():
        c.add(join(prefix, key), f"{key} must not be empty", "blank")
    elif len(value) > max_len:
        c.add(join(prefix, key), f"{key} has {len(value)} characters; at most {max_len} fit",
              "too_long")
    else:
        return value
    return None


def money(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, required: bool = True
) -> Decimal | None:
    value = obj.get(key)
    if value.__class__ is str and PLAIN_MONEY.fullmatch(value):
        return Decimal(value)  # the common case, kept short: the gateway checks every line
    if value is None:
        if required:
            c.add(join(prefix, key), f"{key} is missing", "required")
        return None
    try:
        return parse_money(value, name=key)
    except InvalidValue as error:
        negative = isinstance(value, str) and PLAIN_MONEY.fullmatch(value[1:]) is not None
        c.add(join(prefix, key), error.message, "negative" if negative else "format")
        return None


def percent(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, high: int = 100
) -> Decimal | None:
    """A percentage or rate written as a decimal string ("18", "7.5") from 0 to `high`."""
    value = _get(c, obj, key, prefix, True)
    if value is None:
        return None
    if not isinstance(value, str) or not PERCENT.fullmatch(value):
        c.add(
            join(prefix, key),
            f'{key} must be a decimal string like "18" or "7.5", not {describe(value)}', "format",
        )
        return None
    result = Decimal(value)
    if result > high:
        c.add(join(prefix, key), f"{key} must be at most {high}, not {value}", "too_large")
        return None
    return result


def number(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, low: float, high: float,
    above_low: bool = False, required: bool = True,
) -> float | None:
    """A JSON number (never a string or a boolean) within [low, high], or (low, high]."""
    value = _get(c, obj, key, prefix, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        c.add(join(prefix, key), f"{key} must be a number, not {describe(value)}", "type")
    elif not math.isfinite(value):
        c.add(join(prefix, key), f"{key} must be a finite number", "type")
    elif above_low and value <= low:
        c.add(join(prefix, key), f"{key} must be greater than {low:g}, not {value!r}",
              "too_small")
    elif value < low:
        c.add(join(prefix, key), f"{key} must be at least {low:g}, not {value!r}", "too_small")
    elif value > high:
        c.add(join(prefix, key), f"{key} must be at most {high:g}, not {value!r}", "too_large")
    else:
        return value
    return None


def boolean(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, required: bool = True
) -> bool | None:
    value = _get(c, obj, key, prefix, required)
    if value is None or isinstance(value, bool):
        return value
    c.add(join(prefix, key), f"{key} must be true or false, not {describe(value)}", "type")
    return None


def day(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, required: bool = True
) -> date | None:
    """A calendar date written as YYYY-MM-DD."""
    value = _get(c, obj, key, prefix, required)
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        c.add(join(prefix, key), f"{key} must be a date like {DATE_EXAMPLE}, not {describe(value)}",
              "format")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        c.add(join(prefix, key), f'{key} "{value}" is not a real calendar date', "format")
        return None


def moment(
    c: Checks, obj: dict[str, Any], key: str, prefix: str = "", *, required: bool = True
) -> datetime | None:
    """An ISO 8601 date-time that carries its UTC offset."""
    value = _get(c, obj, key, prefix, required)
    if value is None:
        return None
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        c.add(
            join(prefix, key),
            f"{key} must be a date-time like {DATETIME_EXAMPLE}, not {describe(value)}", "format",
        )
        return None
    if match.group(1) is None:
        c.add(join(prefix, key), f'{key} "{value}" has no UTC offset; write it like '
              f"{DATETIME_EXAMPLE}", "format")
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        c.add(join(prefix, key), f'{key} "{value}" is not a real date and time', "format")
        return None


def obj(
    c: Checks, parent: dict[str, Any], key: str, prefix: str = "", *, required: bool = True
) -> dict[str, Any] | None:
    value = _get(c, parent, key, prefix, required)
    if value is None or isinstance(value, dict):
        return value
    c.add(join(prefix, key), f"{key} must be an object, not {describe(value)}", "type")
    return None


def items(
    c: Checks, parent: dict[str, Any], key: str, prefix: str = "", *, low: int, high: int,
    required: bool = True,
) -> list[Any] | None:
    """A list with `low` to `high` entries."""
    value = _get(c, parent, key, prefix, required)
    if value is None:
        return None
    if not isinstance(value, list):
        c.add(join(prefix, key), f"{key} must be a list, not {describe(value)}", "type")
    elif len(value) < low:
        c.add(join(prefix, key), f"{key} must have at least {low} entr{'y' if low == 1 else 'ies'}",
              "too_few")
    elif len(value) > high:
        c.add(join(prefix, key), f"{key} has {len(value)} entries; at most {high} are allowed",
              "too_many")
    else:
        return value
    return None


def loc(
    c: Checks, parent: dict[str, Any], key: str = "loc", prefix: str = "", *,
    required: bool = False,
) -> dict[str, Any] | None:
    """A location fix: {lat, lon, accuracy_m, at, mock}."""
    value = obj(c, parent, key, prefix, required=required)
    if value is None:
        return None
    path = join(prefix, key)
    before = len(c.problems)
    number(c, value, "lat", path, low=-90, high=90)
    number(c, value, "lon", path, low=-180, high=180)
    number(c, value, "accuracy_m", path, low=0, high=1e7)
    moment(c, value, "at", path)
    boolean(c, value, "mock", path)
    return value if len(c.problems) == before else None
