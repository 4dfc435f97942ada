"""Rejected documents (/api/v1/rejections): read-only; admins see all, heads their team's."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.api.common import (
    HEAD_OR_ADMIN,
    Page,
    UtcDateTime,
    current_scope,
    list_args,
    page_schema,
    paginate,
    requires_role,
    services,
)
from server.sql.models.sync_state import RejectedDocument
from sync.documents.catalogue import for_people

blp = Blueprint("rejections", __name__, url_prefix="/api/v1",
                description="Documents the server refused, with the reason to act on")
SORT = {"rejected_at": RejectedDocument.rejected_at, "owner": RejectedDocument.owner,
        "doc_type": RejectedDocument.doc_type}


class RejectionOut(Schema):
    """One refused document revision, its reason and its body as the phone wrote it."""

    db_name = fields.String()
    doc_id = fields.String()
    rev = fields.String()
    doc_type = fields.String()
    owner = fields.String()
    reason = fields.String()
    errors = fields.List(fields.Dict())
    problems = fields.Method("_problems", metadata={
        "description": "each problem as the office reads it: the field's label and the "
                       "people's text from the catalogue, with the rule's own words as "
                       "`detail` ({field, label, text, key, detail})"})
    body = fields.Dict()
    rejected_at = UtcDateTime()
    source = fields.String(metadata={"description": "who refused it: 'worker' (the document is "
                                     "in the store), 'gateway' (refused at sync, never stored) or "
                                     "'frozen' (a change of an archived document written past "
                                     "the gateway, undone)"})
    device_id = fields.String(allow_none=True)

    def _problems(self, row: RejectedDocument) -> list[dict[str, str]]:
        return for_people(row.doc_type, list(row.errors or []))


RejectionArgs = list_args(
    "RejectionArgs", tuple(SORT),
    owner=fields.String(validate=validate.Length(1, 64)),
    doc_type=fields.String(validate=validate.Length(1, 32)),
    doc_id=fields.String(validate=validate.Length(1, 160)),
    source=fields.String(validate=validate.OneOf(("worker", "gateway", "frozen"))))
RejectionPage = page_schema("RejectionPage", RejectionOut)


@blp.route("/rejections")
@blp.arguments(RejectionArgs, location="query")
@blp.response(200, RejectionPage)
@requires_role(*HEAD_OR_ADMIN)
def list_rejections(args: dict[str, Any]) -> Page:
    """Rejected documents, newest first: admins see all, heads their team's."""
    stmt = current_scope().limit(select(RejectedDocument), RejectedDocument.owner)
    for key in ("owner", "doc_type", "doc_id", "source"):
        if key in args:
            stmt = stmt.where(getattr(RejectedDocument, key) == args[key])
    with services().sessions() as s:
        return paginate(s, stmt, args, SORT, "-rejected_at")
