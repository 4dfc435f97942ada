"""Visits, travel expenses, to-dos, attachments and travel rates, scoped by role."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.api.common import (
    ADMIN,
    ANYONE,
    HEAD_OR_ADMIN,
    Page,
    UtcDateTime,
    current_principal,
    current_scope,
    http_errors,
    list_args,
    page_schema,
    paginate,
    requires_role,
    services,
)
from server.api.schemas import DecisionIn, DecisionOut, LocOut
from server.sales.expenses import MODES
from server.sales.service import set_travel_rate
from server.sql.models.documents import Todo
from server.sql.models.sales import HeadDecision, TravelRate
from sync.documents.attachments import SAFE_NAME, sniff

blp = Blueprint("activity", __name__, url_prefix="/api/v1",
                description="Visits, expenses, to-dos and attachments")
OWNER = fields.String(validate=validate.Length(1, 64))


class VisitOut(Schema):
    doc_id = fields.String()
    owner = fields.String()
    customer_id = fields.String(allow_none=True)
    lead_id = fields.String(allow_none=True)
    purpose = fields.String()
    check_in_at = UtcDateTime()
    check_in_lat = fields.Float(allow_none=True)
    check_in_lon = fields.Float(allow_none=True)
    check_out_at = UtcDateTime(allow_none=True)
    check_out_lat = fields.Float(allow_none=True)
    check_out_lon = fields.Float(allow_none=True)
    outcome = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    next_action_date = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    loc = fields.Nested(LocOut, allow_none=True)


VisitArgs = list_args("VisitArgs", ("check_in_at", "owner", "created_at"), owner=OWNER,
                      customer_id=fields.String(validate=validate.Length(1, 64)))
VisitPage = page_schema("VisitPage", VisitOut)


@blp.route("/visits")
@blp.arguments(VisitArgs, location="query")
@blp.response(200, VisitPage)
@requires_role(*ANYONE)
def list_visits(args: dict[str, Any]) -> Page:
    """Visit reports: engineers their own, heads their team's, admins all."""
    return services().fieldwork.visits(current_scope().owners, args)


@blp.route("/visits/<string:visit_id>")
@blp.response(200, VisitOut)
@requires_role(*ANYONE)
def get_visit(visit_id: str) -> dict[str, Any]:
    """One visit report."""
    with http_errors():
        return services().fieldwork.visit(current_scope().owners, visit_id)


class ExpenseOut(Schema):
    doc_id = fields.String()
    owner = fields.String()
    date = fields.Date()
    from_place = fields.String()
    to_place = fields.String()
    mode = fields.String()
    km = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    allowance = fields.Decimal(as_string=True, allow_none=True,
                               metadata={"description": "km x the mode's rate, if set"})
    purpose = fields.String()
    has_receipt_photo = fields.Boolean()
    approval_status = fields.String()
    reimbursed = fields.Boolean()
    decision = fields.Nested(DecisionOut, allow_none=True)
    created_at = UtcDateTime()
    loc = fields.Nested(LocOut, allow_none=True)


ExpenseArgs = list_args(
    "ExpenseArgs", ("date", "amount", "owner", "created_at"), owner=OWNER,
    approval_status=fields.String(validate=validate.OneOf(["pending", "approved", "declined"])),
    reimbursed=fields.Boolean(), mode=fields.String(validate=validate.OneOf(MODES)),
    date_from=fields.Date(), date_to=fields.Date())
ExpensePage = page_schema("ExpensePage", ExpenseOut)


@blp.route("/expenses")
@blp.arguments(ExpenseArgs, location="query")
@blp.response(200, ExpensePage)
@requires_role(*ANYONE)
def list_expenses(args: dict[str, Any]) -> Page:
    """Travel expenses: engineers their own, heads their team's, admins all."""
    return services().fieldwork.expenses(current_scope().owners, args)


@blp.route("/expenses/<string:expense_id>")
@blp.response(200, ExpenseOut)
@requires_role(*ANYONE)
def get_expense(expense_id: str) -> dict[str, Any]:
    """One travel expense with the head's decision."""
    with http_errors():
        return services().fieldwork.expense(current_scope().owners, expense_id)


@blp.route("/expenses/<string:expense_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(201, DecisionOut)
@requires_role(*HEAD_OR_ADMIN)
def decide_expense(body: dict[str, Any], expense_id: str) -> HeadDecision:
    """Approve or decline a travel expense; the engineer's phone sees the decision."""
    built = services()
    with http_errors():
        return built.sales.decide_expense(
            current_principal(), expense_id, body["outcome"], body["note"])


@blp.route("/expenses/<string:expense_id>/reimbursed", methods=["POST"])
@blp.response(200, DecisionOut)
@requires_role(*HEAD_OR_ADMIN)
def reimburse_expense(expense_id: str) -> HeadDecision:
    """Mark an approved expense as paid back."""
    built = services()
    with http_errors():
        return built.sales.mark_reimbursed(
            current_principal(), expense_id)


class TodoOut(Schema):
    doc_id = fields.String()
    owner = fields.String()
    title = fields.String()
    due_date = fields.Date(allow_none=True)
    done = fields.Boolean()
    customer_id = fields.String(allow_none=True)
    lead_id = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


TodoArgs = list_args("TodoArgs", ("due_date", "created_at", "owner", "title"), owner=OWNER,
                     done=fields.Boolean())
TodoPage = page_schema("TodoPage", TodoOut)


@blp.route("/todos")
@blp.arguments(TodoArgs, location="query")
@blp.response(200, TodoPage)
@requires_role(*ANYONE)
def list_todos(args: dict[str, Any]) -> Page:
    """To-dos: engineers their own, heads their team's, admins all."""
    return services().fieldwork.todos(current_scope().owners, args)


@blp.route("/todos/<string:todo_id>")
@blp.response(200, TodoOut)
@requires_role(*ANYONE)
def get_todo(todo_id: str) -> Todo:
    """One to-do."""
    with http_errors():
        return services().fieldwork.todo(current_scope().owners, todo_id)


@blp.route("/attachments/<string:doc_id>/<string:name>")
@blp.response(200, content_type="application/octet-stream",
              description="The attachment's bytes with its own content type")
@requires_role(*ANYONE)
def attachment(doc_id: str, name: str) -> Response:
    """A document's attachment (receipt photo, signature), with the document's access rules."""
    with http_errors():
        body = services().fieldwork.attachment(current_scope().owners, doc_id, name)
    return Response(body, headers=attachment_headers(name, body))


def attachment_headers(name: str, body: bytes) -> dict[str, str]:
    """The type the bytes show (not the one the phone declared), never sniffed by a browser,
    and shown inline only for an image with a safe name; anything else is a download."""
    verified = sniff(body)
    inline = verified in ("image/jpeg", "image/png") and SAFE_NAME.match(name) is not None
    disposition = f'inline; filename="{name}"' if inline else "attachment"
    return {"Content-Type": verified or "application/octet-stream",
            "X-Content-Type-Options": "nosniff", "Content-Disposition": disposition}


class RateOut(Schema):
    mode = fields.String()
    rate_per_km = fields.Decimal(as_string=True)
    updated_by = fields.String()
    updated_at = UtcDateTime()


class RateIn(Schema):
    rate_per_km = fields.Decimal(required=True, as_string=True,
                                 metadata={"description": "rupees per km, like \"9.50\""})


RateArgs = list_args("RateArgs", ("mode",))
RatePage = page_schema("RatePage", RateOut)


@blp.route("/travel-rates")
@blp.arguments(RateArgs, location="query")
@blp.response(200, RatePage)
@requires_role(*ANYONE)
def list_rates(args: dict[str, Any]) -> Page:
    """The per-km rate of each travel mode."""
    with services().sessions() as s:
        return paginate(s, select(TravelRate), args, {"mode": TravelRate.mode}, "mode")


@blp.route("/travel-rates/<string:mode>")
class OneRate(MethodView):
    @blp.arguments(RateIn)
    @blp.response(200, RateOut)
    @requires_role(*ADMIN)
    def put(self, body: dict[str, Any], mode: str) -> Any:
        """Set the per-km rate of a travel mode."""
        with http_errors():
            return set_travel_rate(services().sessions, current_principal(), mode,
                                   body["rate_per_km"])
