"""Leads and their stage history (/api/v1/leads); heads and admins move leads, also back."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server.api.common import (
    ANYONE,
    HEAD_OR_ADMIN,
    Page,
    UtcDateTime,
    current_principal,
    current_scope,
    http_errors,
    list_args,
    page_schema,
    requires_role,
    services,
)
from server.api.schemas import LocOut
from server.sales.leadmoves import STAGES

blp = Blueprint("leads", __name__, url_prefix="/api/v1", description="Leads and stages")


class StepOut(Schema):
    position = fields.Integer()
    stage = fields.String()
    at = UtcDateTime()
    by = fields.String()
    loc = fields.Nested(LocOut, allow_none=True)


class LeadOut(Schema):
    doc_id = fields.String()
    owner = fields.String()
    customer_id = fields.String(allow_none=True)
    prospect_name = fields.String(allow_none=True)
    prospect_city = fields.String(allow_none=True)
    title = fields.String()
    expected_value = fields.Decimal(as_string=True, allow_none=True)
    stage = fields.String()
    lost_reason = fields.String(allow_none=True)
    proposal_value = fields.Decimal(as_string=True, allow_none=True)
    po_number = fields.String(allow_none=True)
    po_date = fields.Date(allow_none=True)
    po_amount = fields.Decimal(as_string=True, allow_none=True)
    advance_amount = fields.Decimal(as_string=True, allow_none=True)
    advance_payment_ref = fields.String(allow_none=True)
    oa_number = fields.String(allow_none=True)
    oa_date = fields.Date(allow_none=True)
    installation_date = fields.Date(allow_none=True)
    installation_notes = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    loc = fields.Nested(LocOut, allow_none=True)
    history = fields.List(fields.Nested(StepOut))


LeadArgs = list_args("LeadArgs", ("created_at", "updated_at", "stage", "owner", "title"),
                     owner=fields.String(validate=validate.Length(1, 64)),
                     stage=fields.String(validate=validate.OneOf(STAGES)),
                     customer_id=fields.String(validate=validate.Length(1, 64)))
LeadPage = page_schema("LeadPage", LeadOut)


@blp.route("/leads")
@blp.arguments(LeadArgs, location="query")
@blp.response(200, LeadPage)
@requires_role(*ANYONE)
def list_leads(args: dict[str, Any]) -> Page:
    """Leads: engineers their own, heads their team's, admins all."""
    return services().sales_queries.leads(current_scope().owners, args)


@blp.route("/leads/<string:lead_id>")
@blp.response(200, LeadOut)
@requires_role(*ANYONE)
def get_lead(lead_id: str) -> dict[str, Any]:
    """One lead with its stage history (who, when, where)."""
    with http_errors():
        return services().sales_queries.lead(current_scope().owners, lead_id)


class LocIn(Schema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=0.0, allow_nan=False,
                              validate=validate.Range(0, 1e6))
    at = fields.AwareDateTime(required=True)
    mock = fields.Boolean(load_default=False)


class MoveIn(Schema):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    details = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.Raw(allow_none=True), load_default=None,
                          validate=validate.Length(max=20))
    lost_reason = fields.String(load_default=None, validate=validate.Length(1, 2000))
    loc = fields.Nested(LocIn, load_default=None)


class MovedOut(Schema):
    doc_id = fields.String()
    stage = fields.String()
    rev = fields.String()
    history = fields.List(fields.Dict())


@blp.route("/leads/<string:lead_id>/moves", methods=["POST"])
@blp.arguments(MoveIn)
@blp.response(201, MovedOut)
@requires_role(*HEAD_OR_ADMIN)
def move_lead(body: dict[str, Any], lead_id: str) -> dict[str, Any]:
    """Move a lead one stage forward, to lost (with a reason), or back; written to the phone."""
    loc = body["loc"]
    if loc is not None:
        loc = {**loc, "at": loc["at"].isoformat()}
    with http_errors():
        moved = services().sales.move_lead(
            current_principal(), lead_id, body["stage"], details=body["details"],
            lost_reason=body["lost_reason"], loc=loc)
    return {"doc_id": moved["_id"], "stage": moved["stage"], "rev": moved["_rev"],
            "history": moved["history"]}
