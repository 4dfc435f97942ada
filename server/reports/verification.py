"""The verification job: checks offers, approvals, orders and visits against the customer's
position and records inside / outside / unknown in location_verifications (never a veto)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, delete, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from server.location import Fix, GeofenceRules, customer_position, verify_fix
from server.reports.sqlutil import as_utc
from server.sql.models.documents import CustomerApproval, Offer, Order, Visit
from server.sql.models.master import Customer
from server.sql.models.reports import LocationVerification
from server.sql.session import transaction
from server.sql.upsert import upsert

BATCH = 2000
V = LocationVerification


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _pending(model: Any, *columns: Any) -> Select[Any]:
    """Rows of `model` never verified, or verified at another revision."""
    return (select(model.doc_id, model.rev, model.owner, *columns)
            .outerjoin(V, V.doc_id == model.doc_id)
            .where(or_(V.doc_id.is_(None), V.rev != model.rev)).limit(BATCH))


def _with_customer(stmt: Select[Any], customer_id: Any) -> Select[Any]:
    return stmt.outerjoin(Customer, Customer.customer_id == customer_id)


def _queries() -> dict[str, Select[Any]]:
    """Per type: doc_id, rev, owner, customer, lat, lon, accuracy, fix time, mock, event time,
    customer lat, customer lon, and why the phone had no fix (approvals and check-ins)."""
    none = literal(None)
    def fix(m: Any) -> tuple[Any, ...]:
        return (m.loc_lat, m.loc_lon, m.loc_accuracy_m, m.loc_at, m.loc_mock)
    offer = _with_customer(_pending(Offer, Offer.customer_id, *fix(Offer), Offer.updated_at,
                                    Customer.lat, Customer.lon, none), Offer.customer_id)
    order = _with_customer(_pending(Order, Order.customer_id, *fix(Order), Order.updated_at,
                                    Customer.lat, Customer.lon, none), Order.customer_id)
    a = CustomerApproval
    approval = _with_customer(
        _pending(a, Offer.customer_id, *fix(a), a.signed_at, Customer.lat, Customer.lon,
                 a.no_fix)
        .outerjoin(Offer, Offer.doc_id == a.offer_id), Offer.customer_id)
    visit = _with_customer(
        _pending(Visit, Visit.customer_id, Visit.check_in_lat, Visit.check_in_lon,
                 Visit.check_in_accuracy_m, Visit.check_in_at, Visit.loc_mock,
                 Visit.check_in_at, Customer.lat, Customer.lon, Visit.check_in_no_fix),
        Visit.customer_id)
    return {"offer": offer, "order": order, "approval": approval, "visit": visit}


MODELS: dict[str, Any] = {"offer": Offer, "order": Order, "approval": CustomerApproval,
                          "visit": Visit}


class VerificationJob:
    """Verifies every new or changed revision; removes verifications of deleted documents."""

    def __init__(self, sessions: sessionmaker[Session], rules: GeofenceRules,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.sessions, self.rules, self.clock = sessions, rules, clock

    def run(self) -> int:
        """One pass over every type; returns how many documents were verified."""
        total = 0
        for doc_type, stmt in _queries().items():
            while True:
                with transaction(self.sessions) as session:
                    rows = session.execute(stmt).all()
                    if rows:
                        upsert(session, V, [self._row(doc_type, r) for r in rows], ["doc_id"])
                total += len(rows)
                if len(rows) < BATCH:
                    break
        self._forget_deleted()
        return total

    def _row(self, doc_type: str, r: Any) -> dict[str, Any]:
        (doc_id, rev, owner, customer_id, lat, lon, accuracy, fix_at, mock, event_at,
         c_lat, c_lon, no_fix) = r
        fix = None
        if lat is not None and lon is not None and not (lat == 0 and lon == 0):
            acc = math.inf if accuracy is None or accuracy < 0 else float(accuracy)
            fix = Fix(float(lat), float(lon), acc, as_utc(fix_at), bool(mock))
        event = as_utc(event_at) or self.clock()
        result = verify_fix(fix, customer_position(c_lat, c_lon), self.rules, event,
                            no_fix=no_fix)
        return {"doc_id": doc_id, "doc_type": doc_type, "rev": rev, "owner": owner,
                "customer_id": customer_id, "event_at": event, "status": result.status,
                "distance_m": result.distance_m, "reason": result.reason,
                "message": result.message, "verified_at": self.clock()}

    def _forget_deleted(self) -> None:
        with transaction(self.sessions) as session:
            for doc_type, model in MODELS.items():
                session.execute(delete(V).where(V.doc_type == doc_type,
                                                V.doc_id.not_in(select(model.doc_id))))
