"""Admin services: the outbox and dead-letter lists, retries and a per-ERP health summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.delivery import ACCEPTED, FAILED, NOT_SENT, QUEUED, SENT
from erp_bridge.errors import OutboxError
from erp_bridge.outbox import OutboxRepository, aware
from server.sql.models.base import utcnow
from server.sql.models.erp import ErpAttempt, ErpDeadLetter, ErpOutbox
from server.sql.session import transaction
from sync.audit_trail import AuditTrail

STATUSES = (QUEUED, SENT, ACCEPTED, FAILED, NOT_SENT)
RETRYABLE = (FAILED, NOT_SENT)


class ErpAdmin:
    """What the admin console shows and does about ERP pushes."""

    def __init__(self, sessions: sessionmaker[Session], erp_kind: str,
                 clock: Callable[[], datetime] = utcnow, *, audit: AuditTrail) -> None:
        self.sessions = sessions
        self.audit = audit
        self.erp_kind = erp_kind
        self.clock = clock

    def list_outbox(self, status: str | None = None, limit: int = 100,
                    offset: int = 0) -> list[dict[str, Any]]:
        if status is not None and status not in STATUSES:
            raise OutboxError(f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.")
        query = select(ErpOutbox).order_by(ErpOutbox.created_at.desc(), ErpOutbox.order_id)
        if status is not None:
            query = query.where(ErpOutbox.status == status)
        with self.sessions() as session:
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            return [_outbox_row(row) for row in rows]

    def list_dead_letters(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(
                select(ErpDeadLetter, ErpOutbox).join(
                    ErpOutbox, ErpOutbox.order_id == ErpDeadLetter.order_id)
                .order_by(ErpDeadLetter.failed_at.desc()).limit(limit).offset(offset)).all()
            return [{**_outbox_row(outbox), "reason": dead.reason, "attempts": dead.attempts,
                     "failed_at": aware(dead.failed_at).isoformat()} for dead, outbox in rows]

    def retry(self, order_id: str) -> dict[str, Any]:
        """Send a dead-lettered (or never sent) order again, starting a fresh attempt count."""
        with transaction(self.sessions) as session:
            row = session.get(ErpOutbox, order_id, with_for_update=True)
            if row is None:
                raise OutboxError(f"No order {order_id} in the ERP outbox.")
            if row.status not in RETRYABLE:
                raise OutboxError(f"Order {order_id} is {row.status}; only failed or not-sent "
                                  "orders can be retried.")
            self._requeue(session, row)
            return _outbox_row(row)

    def retry_all(self) -> int:
        """Requeue every dead letter (and unsent order, once an ERP is configured)."""
        with transaction(self.sessions) as session:
            rows = session.scalars(select(ErpOutbox).where(ErpOutbox.status.in_(RETRYABLE))
                                   .with_for_update()).all()
            count = 0
            for row in rows:
                if row.status == FAILED or self.erp_kind != "null":
                    self._requeue(session, row)
                    count += 1
            return count

    def _requeue(self, session: Session, row: ErpOutbox) -> None:
        if row.status == NOT_SENT:
            if self.erp_kind == "null":
                raise OutboxError("No ERP is configured (FIELDSYNC_ERP_KIND=null): set one "
                                  "before sending orders.")
            row.erp_kind = self.erp_kind
        now = self.clock()
        before = {"status": row.status, "attempts": row.attempts, "reason": row.last_error}
        session.execute(delete(ErpDeadLetter).where(ErpDeadLetter.order_id == row.order_id))
        row.status, row.attempts, row.last_error = QUEUED, 0, ""
        row.next_attempt_at, row.updated_at = now, now
        row.lease_owner, row.lease_until = None, None
        OutboxRepository.touch(session, row)
        session.flush()
        self.audit(session, "erp.retry", "order", row.order_id, before=before,
                   after={"status": QUEUED, "erp_kind": row.erp_kind})

    def health(self) -> list[dict[str, Any]]:
        """Per ERP: orders by status, the oldest waiting order, last success and last error."""
        with self.sessions() as session:
            counts = session.execute(select(ErpOutbox.erp_kind, ErpOutbox.status,
                                            func.count()).group_by(ErpOutbox.erp_kind,
                                                                   ErpOutbox.status)).all()
            summary: dict[str, dict[str, Any]] = {}
            for kind, status, count in counts:
                entry = summary.setdefault(kind, self._empty(kind))
                entry[status] = count
            for kind, entry in summary.items():
                entry.update(self._timings(session, kind))
            return [summary[k] for k in sorted(summary)]

    @staticmethod
    def _empty(kind: str) -> dict[str, Any]:
        return {"erp_kind": kind, **dict.fromkeys(STATUSES, 0)}

    def _timings(self, session: Session, kind: str) -> dict[str, Any]:
        waiting = session.scalar(select(func.min(ErpOutbox.created_at)).where(
            ErpOutbox.erp_kind == kind, ErpOutbox.status.in_((QUEUED, SENT))))
        accepted = session.scalar(select(func.max(ErpOutbox.accepted_at)).where(
            ErpOutbox.erp_kind == kind))
        error = session.execute(select(ErpAttempt.detail, ErpAttempt.at).where(
            ErpAttempt.erp_kind == kind, ErpAttempt.outcome != "accepted")
            .order_by(ErpAttempt.at.desc(), ErpAttempt.id.desc()).limit(1)).first()
        now = self.clock()
        return {
            "oldest_waiting_s": (now - aware(waiting)).total_seconds() if waiting else None,
            "last_accepted_at": aware(accepted).isoformat() if accepted else None,
            "last_error": error[0] if error else None,
            "last_error_at": aware(error[1]).isoformat() if error else None,
        }


def _outbox_row(row: ErpOutbox) -> dict[str, Any]:
    return {"order_id": row.order_id, "db_name": row.db_name, "owner": row.owner,
            "erp_kind": row.erp_kind, "idempotency_key": row.idempotency_key,
            "status": row.status, "attempts": row.attempts, "erp_number": row.erp_number,
            "erp_status": row.erp_status, "last_error": row.last_error,
            "next_attempt_at": aware(row.next_attempt_at).isoformat(),
            "created_at": aware(row.created_at).isoformat(),
            "customer_id": row.snapshot.get("customer_id"),
            "grand_total": row.snapshot.get("grand_total")}
