"""The reports endpoints (/api/v1/reports): JSON, CSV or XLSX, scoped by role; day routes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from flask import Flask, Response, current_app, request
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import ANYONE, HEAD_OR_ADMIN, current_principal, error, requires_role
from server.bootstrap import Services
from server.reports.errors import ReportError
from server.reports.filters import KNOWN
from server.reports.jobs import report_timezone
from server.reports.service import REPORTS, ReportService
from server.reports.sqlutil import zone

EXTENSION = "fieldsync.reports"

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Reports with CSV and XLSX export, and engineers' day routes")

FILTER_DOCS = [
    {"in": "query", "name": name, "required": False, "schema": {"type": "string"}}
    for name in sorted(KNOWN)
]


class TargetSchema(Schema):
    """A month's sales target for one engineer."""

    order_value = fields.String(required=True, validate=validate.Length(1, 20),
                                metadata={"description": "Amount in rupees, e.g. \"250000.00\""})
    orders = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


def reports_service() -> ReportService:
    return cast(ReportService, current_app.extensions[EXTENSION])


@contextmanager
def _report_errors() -> Iterator[None]:
    try:
        yield
    except ReportError as exc:
        error(exc.status, str(exc))


class ReportIndexSchema(Schema):
    """The reports there are, the filters they take and the export formats."""

    reports = fields.List(fields.String(), required=True)
    filters = fields.List(fields.String(), required=True)
    formats = fields.List(fields.String(), required=True)


@blp.route("/", methods=["GET"])
@blp.response(200, ReportIndexSchema)
@requires_role(*ANYONE)
def index() -> dict[str, Any]:
    """The reports there are, and the filters each takes."""
    return {"reports": list(REPORTS), "filters": sorted(KNOWN), "formats": ["json", "csv", "xlsx"]}


@blp.route("/route", methods=["GET"])
@blp.doc(parameters=[{"in": "query", "name": "engineer", "schema": {"type": "string"}},
                     {"in": "query", "name": "day", "required": True,
                      "schema": {"type": "string", "format": "date"}}])
@requires_role(*ANYONE)
def route() -> Any:
    """An engineer's day as GeoJSON: track, stops, visits, offers, approvals and orders."""
    with _report_errors():
        body = reports_service().route(current_principal(), request.args.get("engineer"),
                                       request.args.get("day"))
    response = current_app.json.response(body)
    response.mimetype = "application/geo+json"
    return response


@blp.route("/targets/<engineer>/<month>", methods=["PUT"])
@blp.arguments(TargetSchema)
@blp.response(204)
@requires_role(*HEAD_OR_ADMIN)
def put_target(body: dict[str, Any], engineer: str, month: str) -> None:
    """Set an engineer's sales target for a month (YYYY-MM)."""
    with _report_errors():
        reports_service().set_target(current_principal(), engineer, month,
                                     body["order_value"], body["orders"])


@blp.route("/<name>", methods=["GET"])
@blp.doc(parameters=FILTER_DOCS, responses={"200": {
    "description": "The report: JSON (report, title, columns, rows, summary), CSV or XLSX",
    "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
@requires_role(*ANYONE)
def report(name: str) -> Any:
    """One report; `format=csv` or `format=xlsx` downloads it as a file."""
    service = reports_service()
    with _report_errors():
        table, fmt, wanted = service.run_args(name, current_principal(),
                                              request.args.to_dict())
        if fmt == "json":
            return table.as_json()
        export = service.export(table, fmt, wanted)
    return Response(export.content, mimetype=export.media_type.split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="{export.filename}"'})


def register(app: Flask, api: Api, services: Services,
             today: Callable[[], Any] | None = None) -> None:
    app.extensions[EXTENSION] = ReportService(services.sessions, zone(report_timezone(services)),
                                              today)
    api.register_blueprint(blp)

