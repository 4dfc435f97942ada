"""The outbox drain: claims due orders, sends them through the adapter, records outcomes."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from erp_bridge.adapters.base import ErpAdapter
from erp_bridge.delivery import Accepted, Outcome, Rejected, Retry, after_attempt
from erp_bridge.errors import ErpError, ErpMismatch, ErpRejected, ErpTransient
from erp_bridge.outbox import Claim, OutboxRepository
from erp_bridge.receipts import ReceiptWriter
from erp_bridge.retry import BackoffPolicy
from server.config import Settings
from server.sql.models.base import utcnow
from sync.audit_trail import AuditTrail
from sync.store import DocumentStore

log = logging.getLogger("fieldsync.erp.drain")
RECEIPT_BATCH = 500


@dataclass
class DrainReport:
    """What one or more drain passes did."""

    claimed: int = 0
    accepted: int = 0
    retried: int = 0
    dead: int = 0
    lost_leases: int = 0
    receipts: int = 0

    def add(self, other: DrainReport) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class OutboxDrainer:
    """Sends queued orders to one ERP; many drainers may share an outbox safely."""

    def __init__(self, sessions: sessionmaker[Session], adapter: ErpAdapter,
                 store: DocumentStore, settings: Settings, *, audit: AuditTrail,
                 clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random) -> None:
        self.outbox = OutboxRepository(sessions, audit)
        self.adapter = adapter
        self.receipts = ReceiptWriter(store)
        self.settings = settings
        self.clock, self.sleep, self.rand = clock, sleep, rand
        self.owner = uuid.uuid4().hex
        self.policy = BackoffPolicy(settings.erp_backoff_base_s, settings.erp_backoff_cap_s)
        # Short, so a drainer that died frees its orders within seconds; renewed while this one
        # sends (an attempt may take several ERP calls: token, lookup, create).
        self.lease = timedelta(seconds=settings.erp_lease_s)

    def drain_once(self) -> DrainReport:
        """One pass: a batch of due orders, then the receipts that fell behind."""
        report = DrainReport()
        claims = self.outbox.claim(self.adapter.kind, self.owner, self.clock(),
                                   self.settings.erp_batch_size, self.lease)
        report.claimed = len(claims)
        if claims:
            with self._renewing_leases():
                for claim in claims:
                    self._send(claim, report)
        report.receipts = self.publish_receipts()
        return report

    @contextmanager
    def _renewing_leases(self) -> Iterator[None]:
        """Renew this drainer's leases every third of a lease until the batch is recorded."""
        done = threading.Event()

        def renew() -> None:
            while not done.wait(self.lease.total_seconds() / 3):
                try:
                    self.outbox.renew(self.owner, self.clock() + self.lease)
                except Exception as exc:  # SQL away: the lease may lapse; `record` notices
                    log.warning("event=erp_lease_renewal_failed error=%r", str(exc)[:300])

        thread = threading.Thread(target=renew, name="erp-lease", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=10)

    def run_until_idle(self, max_passes: int = 100_000) -> DrainReport:
        """Drain until nothing is due or waiting, sleeping through backoff in between."""
        total = DrainReport()
        for _ in range(max_passes):
            report = self.drain_once()
            total.add(report)
            if report.claimed:
                continue
            due = self.outbox.next_due(self.adapter.kind)
            if due is None:
                break
            self.sleep(max((due - self.clock()).total_seconds(), 0.01))
        return total

    def publish_receipts(self) -> int:
        written = 0
        while True:
            behind = self.outbox.receipts_behind(RECEIPT_BATCH)
            done = self.receipts.write(behind)
            self.outbox.receipts_written(done)
            written += len(done)
            if len(done) < RECEIPT_BATCH:
                return written

    def _send(self, claim: Claim, report: DrainReport) -> None:
        outcome = self._attempt(claim)
        now = self.clock()
        change = after_attempt(outcome, claim.attempts, self.settings.erp_max_attempts, now,
                               self.policy, self.rand())
        accepted = outcome if isinstance(outcome, Accepted) else None
        if not self.outbox.record(claim, self.owner, change, accepted, now):
            report.lost_leases += 1
            log.warning("event=erp_lease_lost order=%s", claim.order_id)
            return
        report.accepted += accepted is not None
        report.dead += change.dead
        report.retried += not change.dead and accepted is None
        log.info("event=erp_attempt order=%s status=%s attempt=%d reason=%s",
                 claim.order_id, change.status, change.attempts, change.reason)

    def _attempt(self, claim: Claim) -> Outcome:
        """Look up first when an earlier attempt may have reached the ERP, then create."""
        unknown = claim.outcome_unknown
        try:
            if unknown:
                found = self.adapter.find_order(claim.snapshot)
                if found is not None:
                    return found
                unknown = False
            return self.adapter.create_order(claim.snapshot)
        except ErpRejected as exc:
            return Rejected(str(exc), exists=isinstance(exc, ErpMismatch))
        except ErpTransient as exc:
            return Retry(str(exc), exc.retry_after_s, unknown or exc.outcome_unknown)
        except ErpError as exc:
            return Rejected(str(exc))
        except Exception as exc:  # an ERP answer we could not read must not stall the outbox
            log.exception("event=erp_unexpected order=%s", claim.order_id)
            return Retry(f"Unexpected ERP answer: {exc!r}", None, True)
