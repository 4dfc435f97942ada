"""The history of an accepted order's fields that may still change, for the sales views.

Which documents are frozen is the sync layer's lookup (sync/frozen_lookup.py): the gateway and
the worker share it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.sql.models.archive import OrderChange


def changes_of_order(session: Session, order_id: str) -> list[OrderChange]:
    """The changes of an accepted order's PO number, delivery date and notes, oldest first."""
    return list(session.scalars(select(OrderChange).where(OrderChange.order_id == order_id)
                                .order_by(OrderChange.rev_pos, OrderChange.field)))
