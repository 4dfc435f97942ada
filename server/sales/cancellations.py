"""Order cancellations: an engineer's request (a phone document), a head's or admin's decision,
and the ERP's cancellation queued in the same step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.roles import Principal
from server.sales import decisions
from server.sales.errors import NotFoundError, StateError
from server.sales.service import HeadActions, Subject, Terms, may_act_for
from server.sql.models.base import utcnow
from server.sql.models.cancellations import ErpCancellation
from server.sql.models.documents import Order, OrderCancellation
from server.sql.models.erp import ErpOutbox
from server.sql.models.sales import HeadDecision
from server.sql.session import transaction
from sync.documents.cancellations import cancellation_id
from sync.documents.schema import CANCELLATION_STATUSES

REQUESTED, CANCELLED, DECLINED = CANCELLATION_STATUSES


@dataclass(frozen=True)
class CancellationView:
    """What the API and the console show of an order's cancellation."""

    request_id: str
    status: str  # requested | cancelled | declined
    reason: str
    requested_at: datetime | None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    erp_status: str | None = None  # queued | cancelled | failed | not_needed
    erp_error: str = ""


class Cancellations:
    """Heads and admins decide engineers' cancellation requests."""

    def __init__(self, actions: HeadActions) -> None:
        self.actions = actions
        self.sessions: sessionmaker[Session] = actions.sessions

    def decide(self, principal: Principal, order_id: str, outcome: str,
               note: str = "") -> CancellationView:
        """Approve (the ERP is told) or decline (with a note the engineer reads)."""
        decisions.check_outcome(outcome, note)
        with self.sessions() as s:
            subject, terms = self._request(s, principal, order_id)
        self.actions._decide("cancellation", subject, principal, outcome, note, terms)
        if outcome == "approved":
            enqueue_cancellations(self.sessions, [order_id])
        with self.sessions() as s:
            return cancellation_views(s, [order_id])[order_id]

    def _request(self, s: Session, principal: Principal, order_id: str) -> tuple[Subject, Terms]:
        order = s.get(Order, order_id)
        if order is None or not may_act_for(s, principal, order.owner):
            raise NotFoundError(f"order {order_id!r} was not found among your team's orders")
        request = s.get(OrderCancellation, cancellation_id(order_id))
        if request is None:
            raise StateError(f"order {order_id!r} has no cancellation request; the engineer "
                             "asks for one from the phone, with a reason")
        decided = s.get(HeadDecision, request.doc_id)
        if decided is not None and decided.outcome == "approved":
            raise StateError(f"order {order_id!r} was already cancelled by {decided.decided_by}")
        return (Subject(request.doc_id, request.db_name, request.owner),
                Terms(request.terms_hash, request.reason[:200]))


def cancellation_views(s: Session, order_ids: Iterable[str]) -> dict[str, CancellationView]:
    """The cancellation of each order that has one (a request, a decision, or both)."""
    ids = {cancellation_id(o): o for o in order_ids}
    if not ids:
        return {}
    requests = {r.doc_id: r for r in s.scalars(
        select(OrderCancellation).where(OrderCancellation.doc_id.in_(ids)))}
    decided = {d.subject_id: d for d in s.scalars(
        select(HeadDecision).where(HeadDecision.subject_id.in_(ids)))}
    sent = {e.order_id: e for e in s.scalars(
        select(ErpCancellation).where(ErpCancellation.order_id.in_(ids.values())))}
    views = {}
    for request_id, order_id in ids.items():
        view = _view(request_id, requests.get(request_id), decided.get(request_id),
                     sent.get(order_id))
        if view is not None:
            views[order_id] = view
    return views


def _view(request_id: str, request: OrderCancellation | None, decision: HeadDecision | None,
          sent: ErpCancellation | None) -> CancellationView | None:
    """Approved is final; a refusal answers only the reason it was given on."""
    if decision is not None and decision.outcome == "approved":
        status = CANCELLED
    elif request is None:
        return None
    elif decision is not None and decision.terms_hash in (None, request.terms_hash):
        status = DECLINED
    else:
        status, decision = REQUESTED, None
    # A request withdrawn after its approval leaves the reason the decision kept.
    reason = request.reason if request is not None else decision.terms if decision else ""
    return CancellationView(
        request_id, status, reason, request.updated_at if request is not None else None,
        decision.decided_by if decision else None, decision.decided_at if decision else None,
        decision.note if decision else "", sent.status if sent else None,
        sent.last_error if sent else "")


def cancellation_filter(status: str) -> ColumnElement[bool]:
    """SQL for "the order's cancellation is `status`", as `_view` decides it."""
    request_id = literal("cancellation:") + func.substr(Order.doc_id, 7)  # "order:" is 6 long
    approved = exists().where(HeadDecision.subject_id == request_id,
                              HeadDecision.outcome == "approved")
    if status == CANCELLED:
        return approved
    declined = exists(select(OrderCancellation.doc_id).join(
        HeadDecision, HeadDecision.subject_id == OrderCancellation.doc_id).where(
        OrderCancellation.order_id == Order.doc_id, HeadDecision.outcome == "declined",
        HeadDecision.terms_hash == OrderCancellation.terms_hash))
    if status == DECLINED:
        return and_(declined, ~approved)
    asked = exists().where(OrderCancellation.order_id == Order.doc_id)
    return and_(asked, ~approved, ~declined)


def enqueue_cancellations(sessions: sessionmaker[Session],
                          order_ids: Iterable[str] | None = None) -> int:
    """An ERP cancellation row for every approved cancellation without one (idempotent: the
    order id is the key, so a row is written once however often this runs)."""
    with transaction(sessions) as s:
        query = (select(HeadDecision.subject_id, HeadDecision.terms)
                 .outerjoin(ErpCancellation, ErpCancellation.request_id == HeadDecision.subject_id)
                 .where(HeadDecision.kind == "cancellation", HeadDecision.outcome == "approved",
                        ErpCancellation.order_id.is_(None)))
        if order_ids is not None:
            query = query.where(HeadDecision.subject_id.in_([cancellation_id(o)
                                                             for o in order_ids]))
        found = {order_of(request_id): (request_id, reason)
                 for request_id, reason in s.execute(query)}
        if not found:
            return 0
        kinds = dict(s.execute(
            select(ErpOutbox.order_id, ErpOutbox.erp_kind)
            .where(ErpOutbox.order_id.in_(found))).all())
        now = utcnow()
        rows = [{"order_id": order_id, "request_id": request_id, "reason": reason,
                 "status": "queued", "attempts": 0, "next_attempt_at": now,
                 "erp_kind": kinds.get(order_id, ""), "last_error": "", "created_at": now}
                for order_id, (request_id, reason) in found.items()]
        dialect = s.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            ErpCancellation)
        result = s.execute(insert.on_conflict_do_nothing(index_elements=["order_id"]), rows)
        return int(getattr(result, "rowcount", 0) or 0)


def order_of(request_id: str) -> str:
    """The order a `cancellation:<key>` request is about: `order:<key>`."""
    return "order:" + request_id.partition(":")[2]
