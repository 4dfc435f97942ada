"""Schemas several blueprints answer with: locations, lines, amounts, decisions, the people and
customer of a record as the head's screens name them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.api.common import RateField, UtcDateTime
from sync.documents.schema import DECISION_OUTCOMES


class LocOut(Schema):
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    at = UtcDateTime(allow_none=True)
    mock = fields.Boolean(allow_none=True)


class Amounts(Schema):
    taxable = fields.Decimal(as_string=True)
    discount = fields.Decimal(as_string=True)
    grand_total = fields.Decimal(as_string=True)


class GstParts(Schema):
    cgst = fields.Decimal(as_string=True)
    sgst = fields.Decimal(as_string=True)
    igst = fields.Decimal(as_string=True)


class GstSplit(Amounts, GstParts):
    """Totals with the GST split into its central, state and integrated parts."""


class PricedLine(Schema):
    line_no = fields.Integer()
    product_id = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True)
    discount_pct = RateField()
    taxable = fields.Decimal(as_string=True)
    total = fields.Decimal(as_string=True)


class DecisionOut(Schema):
    subject_id = fields.String()
    kind = fields.String()
    owner = fields.String()
    outcome = fields.String()
    decided_by = fields.String()
    decided_at = UtcDateTime()
    note = fields.String()
    reimbursed = fields.Boolean()
    terms_hash = fields.String(allow_none=True, metadata={
        "description": "hash of the terms the decision binds; a change of them voids it"})
    terms = fields.String(metadata={"description": 'what was decided on, like "15%"'})


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(DECISION_OUTCOMES))
    note = fields.String(load_default="", validate=validate.Length(0, 2000))


class EarlierDecision(Schema):
    outcome = fields.String()
    terms = fields.String()
    note = fields.String()
    decided_by = fields.String()
    decided_at = UtcDateTime()
    binds = fields.Boolean(metadata={"description": "made on the subject's current terms"})


class CaseParties(Schema):
    """Whose record it is and for which customer, by name (the head's screens)."""

    doc_id = fields.String()
    owner = fields.String()
    engineer_name = fields.String()
    customer_id = fields.String()
    customer_name = fields.String()
    customer_city = fields.String()


class CaseLine(PricedLine):
    product_name = fields.String()
    list_price = fields.Decimal(as_string=True, allow_none=True)
