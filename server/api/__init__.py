"""The REST API (/api/v1): one flask-smorest blueprint per area on shared conventions."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from marshmallow import fields

from server.bootstrap import Services


def prepare(app: Flask, api: Api) -> None:
    """JSON errors everywhere and the OpenAPI conventions; call before any blueprint."""
    from server.api import bodies, common

    common.register_errors(app)
    bodies.register(app)  # hostile JSON is a 400 before any view parses it
    api.ma_plugin.converter.add_attribute_function(_decimal_as_string)


def register(app: Flask, api: Api, services: Services) -> None:
    """Register every REST area."""
    from server.api import (
        activity,
        approvals,
        audit,
        conflicts,
        leads,
        master,
        rejections,
        trade,
        users,
    )

    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for module in (users, master, trade, leads, activity, conflicts, rejections, approvals,
                   audit):
        api.register_blueprint(module.blp)


def _decimal_as_string(_converter: Any, field: fields.Field, **_: Any) -> dict[str, Any]:
    """Money and rates travel as decimal strings ("1180.00"); say so in the OpenAPI document."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "format": "decimal"}
    return {}
