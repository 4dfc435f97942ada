"""Admin REST endpoints for ERP pushes (/api/v1/erp): outbox, dead letters, retries, health."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from erp_bridge.admin import STATUSES, ErpAdmin
from erp_bridge.errors import OutboxError
from server.accounts.roles import Role
from server.accounts.web import requires_role
from server.api.common import services

blp = Blueprint("erp", __name__, url_prefix="/api/v1/erp",
                description="Orders on their way to the ERP, dead letters and retries")


class ListArgs(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


class OutboxRowOut(Schema):
    order_id = fields.String()
    db_name = fields.String()
    owner = fields.String()
    erp_kind = fields.String()
    idempotency_key = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    erp_number = fields.String(allow_none=True)
    erp_status = fields.String(allow_none=True)
    last_error = fields.String()
    next_attempt_at = fields.String()
    created_at = fields.String()
    customer_id = fields.String(allow_none=True)
    grand_total = fields.String(allow_none=True)


class DeadLetterOut(OutboxRowOut):
    reason = fields.String()
    failed_at = fields.String()


class RequeuedOut(Schema):
    requeued = fields.Integer()


class HealthOut(Schema):
    erp_kind = fields.String()
    queued = fields.Integer()
    sent = fields.Integer()
    accepted = fields.Integer()
    failed = fields.Integer()
    not_sent = fields.Integer()
    oldest_waiting_s = fields.Float(allow_none=True)
    last_accepted_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_error_at = fields.String(allow_none=True)


def _admin() -> ErpAdmin:
    return services().erp_admin


@blp.route("/outbox")
@blp.arguments(ListArgs, location="query")
@blp.response(200, OutboxRowOut(many=True))
@requires_role(Role.ADMIN)
def outbox(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Orders in the outbox, newest first, optionally of one status."""
    return _admin().list_outbox(args.get("status"), args["limit"], args["offset"])


@blp.route("/dead-letters")
@blp.arguments(ListArgs, location="query")
@blp.response(200, DeadLetterOut(many=True))
@requires_role(Role.ADMIN)
def dead_letters(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Orders the bridge gave up on, with the ERP's own error text."""
    return _admin().list_dead_letters(args["limit"], args["offset"])


@blp.route("/outbox/<string:order_id>/retry", methods=["POST"])
@blp.response(200, OutboxRowOut)
@requires_role(Role.ADMIN)
def retry_one(order_id: str) -> dict[str, Any]:
    """Send one failed (or not yet sent) order again."""
    try:
        return _admin().retry(order_id)
    except OutboxError as exc:
        status = 404 if str(exc).startswith("No order") else 409
        abort(status, message=str(exc))
        raise


@blp.route("/dead-letters/retry", methods=["POST"])
@blp.response(200, RequeuedOut)
@requires_role(Role.ADMIN)
def retry_all() -> dict[str, int]:
    """Send every dead letter again."""
    return {"requeued": _admin().retry_all()}


@blp.route("/health")
@blp.response(200, HealthOut(many=True))
@requires_role(Role.ADMIN)
def health() -> list[dict[str, Any]]:
    """Per ERP: orders by status, the oldest waiting, the last success and the last error."""
    return _admin().health()
