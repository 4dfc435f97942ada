"""The audit trail (/api/v1/audit): admins read, filter and export it; nobody changes it."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.api.common import (
    ADMIN,
    ListArgs,
    Page,
    UtcDateTime,
    error,
    list_args,
    page_schema,
    paginate,
    requires_role,
    services,
)
from server.audit.queries import EXPORT_MAX_ROWS, AuditFilter, as_dict, audit_table
from server.audit.recorder import verify_chain
from server.reports.export import FORMATS, render
from server.reports.jobs import report_timezone
from server.reports.sqlutil import zone
from server.sql.models.audit import AuditEntry

blp = Blueprint("audit", __name__, url_prefix="/api/v1",
                description="The audit trail: every recorded change, hash-chained")
SORT = {"seq": AuditEntry.seq, "at": AuditEntry.at, "actor": AuditEntry.actor,
        "action": AuditEntry.action}
# PostgreSQL refuses a NUL in a text parameter: refuse it here, as a 422 with the reason.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="must not contain NUL characters")


def text(longest: int) -> list[validate.Validator]:
    return [validate.Length(1, longest), NO_NUL]


class AuditOut(Schema):
    """One recorded change: who, when, from where, what, before and after, and its hashes."""

    seq = fields.Integer()
    at = UtcDateTime()
    actor = fields.String()
    actor_role = fields.String()
    address = fields.String()
    device_id = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class AuditFilterArgs(ListArgs):
    """The filters the list and the export share."""

    actor = fields.String(validate=text(64))
    action = fields.String(validate=text(64), metadata={
        "description": "an action (user.create) or all of an entity's (user)"})
    entity_type = fields.String(validate=text(32))
    entity_id = fields.String(validate=text(200))
    day_from = fields.Date(data_key="from", metadata={"description": "first day, inclusive"})
    day_to = fields.Date(data_key="to", metadata={"description": "last day, inclusive"})

    @validates_schema
    def _days_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("day_from") and data.get("day_to") and data["day_to"] < data["day_from"]:
            raise ValidationError("'to' is before 'from'", "to")


AuditArgs = list_args("AuditArgs", tuple(SORT), base=AuditFilterArgs)
AuditExportArgs = list_args(
    "AuditExportArgs", tuple(SORT), base=AuditFilterArgs,
    format=fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx"))))
AuditPage = page_schema("AuditPage", AuditOut)


class ChainOut(Schema):
    intact = fields.Boolean()
    rows = fields.Integer(metadata={"description": "rows checked (before the break, if any)"})
    broken_at = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    last_hash = fields.String()


def _filter(args: dict[str, Any]) -> Any:
    wanted = AuditFilter(**{k: args.get(k) for k in (
        "actor", "action", "entity_type", "entity_id", "day_from", "day_to")})
    return wanted.statement(zone(report_timezone(services())))


@blp.route("/audit")
@blp.arguments(AuditArgs, location="query")
@blp.response(200, AuditPage)
@requires_role(*ADMIN)
def list_audit(args: dict[str, Any]) -> Page:
    """The audit trail, newest first; admins only."""
    with services().sessions() as s:
        page = paginate(s, _filter(args), args, SORT, "-seq")
        return Page([as_dict(r) for r in page.items], page.page, page.page_size, page.total)


@blp.route("/audit/export")
@blp.arguments(AuditExportArgs, location="query")
@blp.doc(responses={"200": {"description": "The filtered trail as a CSV or XLSX file",
                            "content": {"text/csv": {}, FORMATS["xlsx"]: {}}}})
@requires_role(*ADMIN)
def export_audit(args: dict[str, Any]) -> Response:
    """The filtered trail as a file (`format=csv` or `xlsx`), oldest first; admins only."""
    tz = zone(report_timezone(services()))
    with services().sessions() as s:
        rows = s.scalars(_filter(args).order_by(AuditEntry.seq)
                         .limit(EXPORT_MAX_ROWS + 1)).all()
    if len(rows) > EXPORT_MAX_ROWS:
        error(422, f"more than {EXPORT_MAX_ROWS} rows match; narrow the days or filters",
              {"from": ["narrow the range"]})
    fmt = args["format"]
    return Response(render(audit_table(rows), fmt, tz), mimetype=FORMATS[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="audit.{fmt}"'})


@blp.route("/audit/verify")
@blp.response(200, ChainOut)
@requires_role(*ADMIN)
def verify_audit() -> dict[str, Any]:
    """Check the whole hash chain now (as `fieldsync audit verify` does); admins only."""
    with services().sessions() as s:
        report = verify_chain(s)
    broken = report.broken
    return {"intact": broken is None, "rows": report.rows, "last_hash": report.last_hash,
            "broken_at": broken.seq if broken else None,
            "problem": broken.problem if broken else None}
