"""Sends approved order cancellations to the ERP, once each, after the order reached it.

A row of `erp_cancellations` is written when a head approves (and again, idempotently, on every
pass for any approval that has none). It waits while its order is still on its way to the ERP,
is settled as `not_needed` when the order never got there (no ERP, or a dead letter), and is
leased while it is sent so that several schedulers never send it twice.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.delivery import ACCEPTED, FAILED, NOT_SENT
from erp_bridge.errors import ErpError, ErpRejected, ErpTransient
from erp_bridge.outbox import ERP_BRIDGE
from erp_bridge.retry import BackoffPolicy
from server.config import Settings
from server.sql.models.base import utcnow
from server.sql.models.cancellations import ErpCancellation
from server.sql.models.erp import ErpOutbox
from server.sql.session import transaction
from sync.audit_trail import AuditTrail

log = logging.getLogger("fieldsync.erp.cancel")
QUEUED, CANCELLED, NOT_NEEDED = "queued", "cancelled", "not_needed"


class ErpCanceller(Protocol):
    """The part of an ERP adapter that cancels an order it accepted."""

    kind: str

    def cancel_order(self, snapshot: dict[str, Any], number: str, reason: str) -> str: ...


class CancellationSender:
    """One pass sends every due cancellation of this adapter's ERP."""

    def __init__(self, sessions: sessionmaker[Session], adapter: ErpCanceller,
                 settings: Settings, *, audit: AuditTrail, enqueue_approved: Callable[[], object],
                 clock: Callable[[], datetime] = utcnow,
                 rand: Callable[[], float] = random.random) -> None:
        self.sessions = sessions
        self.audit = audit
        # The sales rule that writes a row for each approved cancellation still without one.
        self.enqueue_approved = enqueue_approved
        self.adapter = adapter
        self.max_attempts = settings.erp_max_attempts
        self.lease = timedelta(seconds=settings.erp_lease_s)
        self.policy = BackoffPolicy(settings.erp_backoff_base_s, settings.erp_backoff_cap_s)
        self.clock, self.rand = clock, rand
        self.owner = uuid.uuid4().hex

    def send_due(self) -> int:
        """Send what is due; returns how many cancellations were settled."""
        self.enqueue_approved()
        settled = 0
        for order_id in self._due():
            if self._claim(order_id):
                settled += self._settle(order_id)
        return settled

    def _due(self) -> list[str]:
        now = self.clock()
        with self.sessions() as s:
            return list(s.scalars(select(ErpCancellation.order_id).where(
                ErpCancellation.status == QUEUED, ErpCancellation.next_attempt_at <= now,
                or_(ErpCancellation.lease_until.is_(None), ErpCancellation.lease_until < now))
                .order_by(ErpCancellation.created_at).limit(200)))

    def _claim(self, order_id: str) -> bool:
        """Lease one row with a conditional update: only one sender wins it."""
        now = self.clock()
        with transaction(self.sessions) as s:
            result = s.execute(update(ErpCancellation).where(
                ErpCancellation.order_id == order_id, ErpCancellation.status == QUEUED,
                or_(ErpCancellation.lease_until.is_(None), ErpCancellation.lease_until < now))
                .values(lease_owner=self.owner, lease_until=now + self.lease))
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def _settle(self, order_id: str) -> int:
        with self.sessions() as s:
            row = s.get(ErpCancellation, order_id)
            order = s.get(ErpOutbox, order_id)
            assert row is not None
            reason, attempts = row.reason, row.attempts
            state = (order.status, order.erp_kind, order.erp_number, dict(order.snapshot)) \
                if order is not None else (NOT_SENT, "", None, {})
        status, kind, number, snapshot = state
        if status in (NOT_SENT, FAILED) or (number is None and status == ACCEPTED):
            return self._record(order_id, NOT_NEEDED, "the order never reached the ERP: "
                                "nothing to cancel there")
        if status != ACCEPTED or kind != self.adapter.kind:
            self._release(order_id, attempts, "waiting for the order to reach the ERP")
            return 0
        assert number is not None
        try:
            answer = self.adapter.cancel_order(snapshot, number, reason)
        except ErpTransient as exc:
            return self._retry(order_id, attempts, str(exc))
        except (ErpRejected, ErpError) as exc:
            return self._record(order_id, FAILED, str(exc), number=number)
        log.info("event=erp_cancelled order=%s number=%s answer=%s", order_id, number, answer)
        return self._record(order_id, CANCELLED, "", number=number)

    def _retry(self, order_id: str, attempts: int, error: str) -> int:
        if attempts + 1 >= self.max_attempts:
            return self._record(order_id, FAILED, f"Gave up after {attempts + 1} attempts; "
                                f"last error: {error}")
        self._release(order_id, attempts + 1, error)
        return 0

    def _release(self, order_id: str, attempts: int, error: str) -> None:
        delay = self.policy.delay(max(attempts, 1), self.rand)
        with transaction(self.sessions) as s:
            s.execute(update(ErpCancellation).where(
                ErpCancellation.order_id == order_id, ErpCancellation.lease_owner == self.owner)
                .values(attempts=attempts, last_error=error, lease_owner=None, lease_until=None,
                        next_attempt_at=self.clock() + timedelta(seconds=delay)))

    def _record(self, order_id: str, status: str, error: str, *,
                number: str | None = None) -> int:
        with transaction(self.sessions) as s:
            s.execute(update(ErpCancellation).where(
                ErpCancellation.order_id == order_id, ErpCancellation.lease_owner == self.owner)
                .values(status=status, last_error=error, erp_number=number, lease_owner=None,
                        lease_until=None, done_at=self.clock(),
                        attempts=ErpCancellation.attempts + 1))
            self.audit(s, "erp.cancel", "order", order_id, actor=ERP_BRIDGE,
                       after={"status": status, "error": error, "erp_number": number})
        log.info("event=erp_cancellation order=%s status=%s error=%s", order_id, status,
                 error or "-")
        return 1
