"""Valid phone documents for the gateway's tests and benchmark."""

from __future__ import annotations

from typing import Any

STAMP = "2026-11-29T10:15:00+05:30"


def todo(owner: str, key: str, title: str = "Call the customer", **extra: Any) -> dict[str, Any]:
    return {"_id": f"todo:{key}", "type": "todo", "owner": owner, "schema_version": 2,
            "device_id": "phone-1", "created_at": STAMP, "updated_at": STAMP, "title": title,
            "done": False, **extra}
