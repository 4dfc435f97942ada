"""Conventions every REST endpoint shares: errors, roles and scoping, pagination, sorting.

List endpoints answer `{items, page, page_size, total}`; `page` counts from 1, `page_size` is
at most 200, `sort=field` or `sort=-field` picks from the endpoint's allow-list. Every error,
including Flask's own 404/405/413 and unexpected failures, is a JSON body in flask-smorest's
shape `{code, status, message, errors?}`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

from flask import Flask, current_app, g
from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from werkzeug.exceptions import HTTPException, InternalServerError

from server.accounts.errors import AccountsError
from server.accounts.roles import Principal, Role
from server.accounts.web import current_principal
from server.accounts.web import requires_role as _requires_role
from server.bootstrap import Services
from server.importing.errors import ImportFailure
from server.sales.errors import SalesError
from server.sql.models.accounts import User
from server.sql.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    page_of,
    paginate,
    sort_clause,
)

__all__ = [
    "ADMIN", "ANYONE", "HEAD_OR_ADMIN", "ListArgs", "Page", "PageSchema", "RateField", "Scope",
    "UtcDateTime", "between",
    "current_principal", "current_scope", "error", "http_errors", "list_args", "page_of",
    "page_schema", "paginate", "register_errors", "requires_role", "scope_for", "services",
    "sort_clause",
]

log = logging.getLogger(__name__)
ADMIN = (Role.ADMIN,)
HEAD_OR_ADMIN = (Role.HEAD, Role.ADMIN)
ANYONE = (Role.ENGINEER, Role.HEAD, Role.ADMIN)
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


# Errors ---------------------------------------------------------------------------------------

def error(status: int, message: str, errors: Mapping[str, Any] | None = None,
          headers: Mapping[str, str] | None = None) -> NoReturn:
    """Stop the request with the one error shape; `errors` maps fields to their problems."""
    kwargs: dict[str, Any] = {"message": message}
    if errors:
        kwargs["errors"] = dict(errors)
    if headers:
        kwargs["headers"] = dict(headers)
    abort(status, **kwargs)
    raise AssertionError("abort returns only by raising")  # pragma: no cover


def register_errors(app: Flask) -> None:
    """Nothing answers HTML: every HTTP error and unexpected failure is JSON in the one shape."""
    app.register_error_handler(HTTPException, _as_json)
    app.register_error_handler(Exception, _unexpected)


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return _as_json(exc)
    log.exception("unexpected error while serving a request")
    return _as_json(InternalServerError(
        "the server failed unexpectedly; the request was not completed, try again later"))


def _as_json(exc: HTTPException) -> Any:
    """flask-smorest's payload, always with a message (Flask's own errors carry none)."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    payload: dict[str, Any] = {"code": code, "status": exc.name,
                               "message": data.get("message") or exc.description or exc.name}
    errors = data.get("errors", data.get("messages"))
    if errors:
        payload["errors"] = errors
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return payload, code, headers


# Services and roles --------------------------------------------------------------------------

def services() -> Services:
    """The composition root's services for this app."""
    built: Services = current_app.extensions["fieldsync"]
    return built


@dataclass(frozen=True)
class Scope:
    """Whose data a principal may read: `owners` None means everyone's (admins)."""

    principal: Principal
    owners: frozenset[str] | None

    def allows(self, owner: str | None) -> bool:
        return self.owners is None or (owner is not None and owner in self.owners)

    def check(self, owner: str | None, what: str) -> None:
        """404 for data outside the scope, worded so nobody learns whether it exists."""
        if owner is None or not self.allows(owner):
            error(404, f"{what} was not found among the records you may see")

    def where(self, column: InstrumentedAttribute[Any] | ColumnElement[Any]
              ) -> ColumnElement[bool] | None:
        """A SQL condition limiting `column` (an owner username) to the scope, or None."""
        if self.owners is None:
            return None
        return column.in_(sorted(self.owners))

    def limit(self, stmt: Select[Any], column: Any) -> Select[Any]:
        condition = self.where(column)
        return stmt if condition is None else stmt.where(condition)


def team_members(sessions: sessionmaker[Session], team_id: int | None) -> frozenset[str]:
    """Usernames of everyone in a team (engineers and the head)."""
    if team_id is None:
        return frozenset()
    with sessions() as s:
        return frozenset(s.scalars(select(User.username).where(User.team_id == team_id)))


def scope_for(principal: Principal, sessions: sessionmaker[Session] | None = None) -> Scope:
    """Engineer: own data; head: own team's (and own); admin: everything."""
    if principal.role is Role.ADMIN:
        return Scope(principal, None)
    if principal.role is Role.HEAD:
        members = team_members(sessions or services().sessions, principal.team_id)
        return Scope(principal, members | {principal.username})
    return Scope(principal, frozenset({principal.username}))


def scoped_get(session: Session, model: type[T], key: str, what: str) -> T:
    """One record the caller may see, by primary key; 404 when missing or out of scope."""
    row = session.get(model, key)
    current_scope().check(getattr(row, "owner", None) if row is not None else None,
                          f"{what} {key!r}")
    assert row is not None  # check() answered 404 otherwise
    return row


def current_scope() -> Scope:
    """The signed-in principal's scope, worked out once per request."""
    scope = g.get("fieldsync_scope")
    if scope is None:
        scope = scope_for(current_principal())
        g.fieldsync_scope = scope
    return cast(Scope, scope)


def requires_role(*roles: Role) -> Callable[[F], F]:
    """401 without a valid token, 403 for another role; the scope is ready before the view."""
    def decorate(view: F) -> F:
        @wraps(view)
        def scoped(*args: Any, **kwargs: Any) -> Any:
            # Worked out before the view opens its session: SQLite sessions must not nest.
            current_scope()
            return view(*args, **kwargs)
        return _requires_role(*roles)(cast(F, scoped))
    return decorate


# Pagination, sorting, filtering --------------------------------------------------------------

class ListArgs(Schema):
    """Query arguments of every list: page, page_size and sort (filters are added per list)."""

    SORTABLE: Sequence[str] = ()

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000),
                          metadata={"description": "Page number, from 1"})
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE,
                               validate=validate.Range(1, MAX_PAGE_SIZE),
                               metadata={"description": f"Items per page, 1-{MAX_PAGE_SIZE}"})
    sort = fields.String(load_default=None, validate=validate.Length(1, 64),
                         metadata={"description": "field or -field (descending)"})

    @validates("sort")
    def _sortable(self, value: str | None, **_: Any) -> None:
        if value is not None and value.removeprefix("-") not in self.SORTABLE:
            allowed = ", ".join(self.SORTABLE) or "nothing"
            raise ValidationError(f"cannot sort by {value!r}; sort by one of: {allowed} "
                                  "(prefix '-' for descending)")


def list_args(name: str, sortable: Sequence[str], base: type[ListArgs] = ListArgs,
              **filters: fields.Field) -> type[ListArgs]:
    """A ListArgs schema named `name` with its sort allow-list and filter fields."""
    attrs: dict[str, Any] = {"SORTABLE": tuple(sortable), **filters}
    return type(name, (base,), attrs)


class PageSchema(Schema):
    """Envelope of every list answer; subclasses set `items` to their item schema."""

    items = fields.List(fields.Dict())
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


def page_schema(name: str, item: type[Schema]) -> type[PageSchema]:
    """A PageSchema named `name` whose items are `item`."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item), required=True)})


# Package errors ------------------------------------------------------------------------------

@contextmanager
def http_errors(extra: Mapping[type[Exception], int] | None = None) -> Iterator[None]:
    """Turn the packages' exceptions into the one error shape with their own status."""
    try:
        yield
    except (SalesError, ImportFailure, AccountsError) as exc:
        errors = getattr(exc, "errors", None)
        error(exc.status, str(exc), errors if isinstance(errors, dict) else None)
    except Exception as exc:
        for kind, status in (extra or {}).items():
            if isinstance(exc, kind):
                errors = getattr(exc, "errors", None)
                error(status, str(exc), {"resolution": errors} if errors else None)
        raise


class RateField(fields.Decimal):
    """A percentage as the documents write it: "18", "7.5" (never "18.000")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f")


class UtcDateTime(fields.DateTime):
    """A timestamp with its offset; SQLite hands back naive values, which were stored in UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def between(low: int, high: int) -> Callable[[Decimal], None]:
    """A range check for decimal-string fields (validate.Range would publish numeric bounds)."""
    def check(value: Decimal) -> None:
        if not (value.is_finite() and low <= value <= high):
            raise ValidationError(f"must be from {low} to {high}")
    return check
