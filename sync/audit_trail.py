"""What the layers that act (worker, ERP bridge, conflict service) need of the audit trail.

They are given an `AuditTrail` by the composition root (`server.bootstrap`), which passes the
SQL-backed `server.audit.recorder.record`; they never import the recorder themselves, so the
trail's storage can change without touching them.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.orm import Session

from server.audit.actor import Actor


class AuditTrail(Protocol):
    """Appends one row inside `session`'s open transaction; call it last in that transaction."""

    def __call__(self, session: Session, action: str, entity_type: str, entity_id: str, *,
                 before: Any = None, after: Any = None, actor: Actor | None = None) -> object:
        ...
