"""The conflict queue (/api/v1/conflicts): heads read their team's, admins read and resolve."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from conflict.choices import Choice, EditDocument, KeepSide, PickFields
from conflict.errors import (
    ConflictClosedError,
    ConflictNotFoundError,
    InvalidResolutionError,
    NotAllowedError,
    StaleConflictError,
)
from conflict.queue import ConflictFilter, ConflictView
from conflict.service import Actor
from server.api.common import (
    ADMIN,
    HEAD_OR_ADMIN,
    Page,
    UtcDateTime,
    current_principal,
    current_scope,
    error,
    http_errors,
    list_args,
    page_of,
    page_schema,
    requires_role,
    services,
)

blp = Blueprint("conflicts", __name__, url_prefix="/api/v1",
                description="Documents edited on two devices that need an admin")
ERRORS = {ConflictNotFoundError: 404, NotAllowedError: 403, ConflictClosedError: 409,
          StaleConflictError: 409, InvalidResolutionError: 422}
SCAN_LIMIT = 5000  # the queue is small; heads' lists are filtered after reading


class ResolutionOut(Schema):
    resolved_by = fields.String()
    resolved_at = UtcDateTime()
    method = fields.String()
    choice = fields.Dict()
    summary = fields.String()
    resulting_rev = fields.String(allow_none=True)


class ConflictOut(Schema):
    id = fields.Integer()
    db_name = fields.String()
    doc_id = fields.String()
    doc_type = fields.String()
    owner = fields.String()
    status = fields.String()
    winner_rev = fields.String()
    loser_revs = fields.List(fields.String())
    differences = fields.List(fields.Dict())
    sides = fields.List(fields.Dict())
    summary = fields.String()
    opened_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    resolutions = fields.List(fields.Nested(ResolutionOut))


ConflictArgs = list_args(
    "ConflictArgs", ("opened_at", "owner", "doc_type"),
    status=fields.String(load_default="open",
                         validate=validate.OneOf(["open", "resolved", "all"])),
    doc_type=fields.String(validate=validate.Length(1, 32)),
    owner=fields.String(validate=validate.Length(1, 64)))
ConflictPage = page_schema("ConflictPage", ConflictOut)


@blp.route("/conflicts")
@blp.arguments(ConflictArgs, location="query")
@blp.response(200, ConflictPage)
@requires_role(*HEAD_OR_ADMIN)
def list_conflicts(args: dict[str, Any]) -> Page:
    """Open (or resolved) conflicts: admins see all, heads their team's."""
    status = None if args["status"] == "all" else args["status"]
    rows = services().conflicts.list(ConflictFilter(
        status=status, doc_type=args.get("doc_type"), owner=args.get("owner"),
        limit=SCAN_LIMIT))
    scope = current_scope()
    visible = [r for r in rows if scope.allows(r.owner)]
    key = (args.get("sort") or "-opened_at").removeprefix("-")
    return page_of(visible, args, key=lambda r: getattr(r, key),
                   reverse=(args.get("sort") or "-opened_at").startswith("-"))


def _show(conflict_id: int) -> ConflictView:
    with http_errors(ERRORS):
        view = services().conflicts.show(conflict_id)
    current_scope().check(view.owner, f"conflict {conflict_id}")
    return view


@blp.route("/conflicts/<int:conflict_id>")
@blp.response(200, ConflictOut)
@requires_role(*HEAD_OR_ADMIN)
def get_conflict(conflict_id: int) -> ConflictView:
    """One conflict with its differences, sides and resolutions."""
    return _show(conflict_id)


class ResolveIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["keep", "pick", "edit"]),
                           metadata={"description": "keep a revision whole, pick per field, "
                                                    "or edit the business fields"})
    rev = fields.String(load_default=None, validate=validate.Length(1, 80),
                        metadata={"description": "keep: the revision to keep"})
    picks = fields.Dict(keys=fields.String(validate=validate.Length(1, 200)),
                        values=fields.String(validate=validate.Length(1, 80)),
                        load_default=None,
                        metadata={"description": "pick: field path -> revision (or 'ours')"})
    fields_ = fields.Dict(data_key="fields", load_default=None,
                          metadata={"description": "edit: the business fields to write"})


def _choice(body: dict[str, Any]) -> Choice:
    method = body["method"]
    if method == "keep" and body["rev"]:
        return KeepSide(body["rev"])
    if method == "pick" and body["picks"]:
        return PickFields(dict(body["picks"]))
    if method == "edit" and body["fields_"]:
        return EditDocument(dict(body["fields_"]))
    need = {"keep": "rev", "pick": "picks", "edit": "fields"}[method]
    return error(422, f"method {method!r} needs {need!r}", {need: ["required for this method"]})


@blp.route("/conflicts/<int:conflict_id>/resolve", methods=["POST"])
@blp.arguments(ResolveIn)
@blp.response(200, ConflictOut)
@requires_role(*ADMIN)
def resolve_conflict(body: dict[str, Any], conflict_id: int) -> ConflictView:
    """Settle a conflict: keep the winner, pick a revision, or edit field values."""
    principal = current_principal()
    choice = _choice(body)
    with http_errors(ERRORS):
        return services().conflicts.resolve(conflict_id, Actor(principal.username,
                                                             principal.role.value), choice)
