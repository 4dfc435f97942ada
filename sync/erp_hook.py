"""Connects the worker to the ERP bridge: an accepted order gets its outbox row in the same
transaction, and every order receipt carries the bridge's current `erp` part."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from erp_bridge.errors import SnapshotError
from erp_bridge.outbox import enqueue_orders
from server.config import Settings
from sync.sql_projection import Outcome

log = logging.getLogger("fieldsync.worker")


class OrderOutboxHook:
    """Called by the batch processor inside its transaction, after the rows are applied."""

    def __init__(self, settings: Settings) -> None:
        self.erp_kind = settings.erp_kind
        self.currency = settings.erp_currency

    def __call__(self, session: Session, db_name: str, outcomes: Sequence[Outcome]) -> None:
        orders = [o.doc for o in outcomes if o.status == "accepted" and not o.deleted
                  and o.doc.get("type") == "order"]
        try:
            enqueue_orders(session, orders, db_name, self.erp_kind, currency=self.currency)
        except SnapshotError:  # validated orders have lines and a customer; find the odd one
            for doc in orders:
                try:
                    enqueue_orders(session, [doc], db_name, self.erp_kind, currency=self.currency)
                except SnapshotError as exc:
                    log.error("event=erp_enqueue_failed db=%s doc=%s reason=%r", db_name,
                              doc.get("_id"), str(exc))
