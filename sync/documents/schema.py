"""Document types, vocabularies and the forward migration of older schema versions."""

from __future__ import annotations

import re
from typing import Any

from sync.documents.errors import UnsupportedSchema
from sync.documents.stages import FORWARD, LOST

CURRENT_SCHEMA_VERSION = 2

PHONE_TYPES = frozenset(
    {"offer", "approval", "order", "lead", "visit", "expense", "todo", "track", "cancellation"}
)
SERVER_TYPES = frozenset({"receipt", "decision"})

ID_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")
OFFER_STATUSES = ("draft", "presented", "approved", "declined")
SUPPLIES = ("intra", "inter")
LEAD_STAGES = (*FORWARD, LOST)
# A head's answer to a discount, an expense or an order's cancellation.
DECISION_OUTCOMES = ("approved", "declined")
CANCELLATION_STATUSES = ("requested", "cancelled", "declined")
EXPENSE_MODES = ("bike", "car", "bus", "train", "auto", "taxi", "flight", "other")
MAX_LINES = 200
MAX_TRACK_POINTS = 2000

# Objects that may carry a v1 `location`; the fix's time comes from the object's own `at`.
_V1_LOCATED = ("check_in", "check_out")


def schema_version_of(doc: dict[str, Any]) -> int:
    """The document's schema version; a missing one means the first app version wrote it."""
    version = doc.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UnsupportedSchema(
            f"schema_version must be a whole number from 1 to {CURRENT_SCHEMA_VERSION}, "
            f"not {version!r}",
            "schema_version",
        )
    if version > CURRENT_SCHEMA_VERSION:
        raise UnsupportedSchema(
            f"written by a newer app version (schema {version}); this server understands "
            f"up to {CURRENT_SCHEMA_VERSION}",
            "schema_version",
        )
    return version


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Return a new dict migrated to the current schema version (nested values are shared)."""
    version = schema_version_of(doc)
    migrated = dict(doc)
    if version == 1:
        _v1_to_v2(migrated)
    migrated["schema_version"] = CURRENT_SCHEMA_VERSION
    return migrated


def _v1_to_v2(doc: dict[str, Any]) -> None:
    if "location" in doc:
        doc["loc"] = _v1_loc(doc.pop("location"), doc.get("updated_at"), "location")
    for key in _V1_LOCATED:
        part = doc.get(key)
        if isinstance(part, dict) and "location" in part:
            part = dict(part)
            part["loc"] = _v1_loc(part.pop("location"), part.get("at"), f"{key}.location")
            doc[key] = part


def _v1_loc(location: Any, at: Any, field: str) -> dict[str, Any]:
    if not isinstance(location, dict):
        raise UnsupportedSchema(
            f"location must be an object with latitude, longitude and accuracy "
            f"(schema 1), not {type(location).__name__}",
            field,
        )
    return {
        "lat": location.get("latitude"),
        "lon": location.get("longitude"),
        "accuracy_m": location.get("accuracy"),
        "at": at,
        "mock": False,
    }
