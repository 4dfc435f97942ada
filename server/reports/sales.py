"""Sales performance against monthly targets, and order history with ERP status."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from server.audit.recorder import record
from server.reports.errors import InvalidTargetError
from server.reports.filters import month_start
from server.reports.sqlutil import Query, as_utc, counted_order
from server.reports.table import Column, ReportTable, money, percent
from server.sql.models.accounts import User
from server.sql.models.base import utcnow
from server.sql.models.documents import Offer, Order
from server.sql.models.master import Customer
from server.sql.models.reports import SalesTarget
from server.sql.upsert import upsert

SALES_COLUMNS = (
    Column("engineer", "Engineer"), Column("name", "Name"), Column("team", "Team", "int"),
    Column("offers", "Offers", "int"), Column("orders", "Orders", "int"),
    Column("order_value", "Order value (INR)", "money"),
    Column("conversion_pct", "Offer-to-order conversion %", "pct"),
    Column("avg_discount_pct", "Average discount %", "pct"),
    Column("target_value", "Target (INR)", "money"),
    Column("target_orders", "Target orders", "int"),
    Column("achievement_pct", "Achievement %", "pct"),
)


def _offer_figures(session: Session, q: Query) -> dict[str, tuple[int, int, Decimal, Decimal]]:
    """owner -> (offers, offers that became orders, discount, gross) for offers in range."""
    converted = exists().where(Order.offer_id == Offer.doc_id, counted_order())
    rows = session.execute(
        select(Offer.owner, func.count(), func.count().filter(converted),
               func.sum(Offer.discount), func.sum(Offer.taxable + Offer.discount))
        .where(q.within(Offer.created_at), q.owned(Offer.owner)).group_by(Offer.owner))
    return {o: (n, c, money(d), money(g)) for o, n, c, d, g in rows}


def _order_figures(session: Session, q: Query) -> dict[str, tuple[int, Decimal]]:
    rows = session.execute(
        select(Order.owner, func.count(), func.sum(Order.grand_total))
        .where(q.within(Order.created_at), q.owned(Order.owner), counted_order())
        .group_by(Order.owner))
    return {owner: (n, money(value)) for owner, n, value in rows}


def _targets(session: Session, q: Query) -> dict[str, tuple[Decimal, int]]:
    """Targets of every month that starts inside the range (and the range's first month)."""
    rows = session.execute(
        select(SalesTarget.owner, func.sum(SalesTarget.order_value), func.sum(SalesTarget.orders))
        .where(SalesTarget.month >= month_start(q.filter.date_from),
               SalesTarget.month <= q.filter.date_to, q.owned(SalesTarget.owner))
        .group_by(SalesTarget.owner))
    return {owner: (money(value), int(n or 0)) for owner, value, n in rows}


def sales_performance(session: Session, q: Query) -> ReportTable:
    offers, orders, targets = _offer_figures(session, q), _order_figures(session, q), \
        _targets(session, q)
    owners = set(offers) | set(orders) | set(targets)
    owners |= set(q.people) if q.owners is None else set(q.owners)
    rows = [_sales_row(q, owner, offers.get(owner), orders.get(owner), targets.get(owner))
            for owner in sorted(owners)]
    total_value = sum((r["order_value"] for r in rows), Decimal("0.00"))
    summary = {"offers": sum(r["offers"] for r in rows), "orders": sum(r["orders"] for r in rows),
               "order_value": total_value}
    return ReportTable("sales_performance", "Sales performance", SALES_COLUMNS, rows, summary)


def _sales_row(q: Query, owner: str, offer: tuple[int, int, Decimal, Decimal] | None,
               order: tuple[int, Decimal] | None,
               target: tuple[Decimal, int] | None) -> dict[str, Any]:
    n_offers, converted, discount, gross = offer or (0, 0, Decimal(0), Decimal(0))
    n_orders, value = order or (0, Decimal("0.00"))
    target_value, target_orders = target or (None, None)
    return {
        "engineer": owner, "name": q.engineer_name(owner), "team": q.team(owner),
        "offers": n_offers, "orders": n_orders, "order_value": value,
        "conversion_pct": percent(converted, n_offers),
        "avg_discount_pct": percent(discount, gross),
        "target_value": target_value, "target_orders": target_orders,
        "achievement_pct": percent(value, target_value) if target_value else None,
    }


ORDER_COLUMNS = (
    Column("order_id", "Order"), Column("created_at", "Created", "datetime"),
    Column("engineer", "Engineer"), Column("customer_id", "Customer"),
    Column("customer_name", "Customer name"), Column("po_number", "PO number"),
    Column("grand_total", "Total (INR)", "money"), Column("erp_status", "ERP status"),
    Column("erp_number", "ERP order number"), Column("erp_reason", "ERP message"),
)


def _history_scope(q: Query) -> list[ColumnElement[bool]]:
    """Orders in range and scope, per customer (customer=) and ERP status (status=)."""
    where = [q.within(Order.created_at), q.owned(Order.owner)]
    if q.filter.customer:
        where.append(Order.customer_id == q.filter.customer)
    if q.filter.status:
        where.append(Order.erp_status == q.filter.status)
    return where


def order_history(session: Session, q: Query) -> ReportTable:
    """Orders in range, newest first, per customer (customer=) or engineer, with ERP state;
    cancelled orders are left out and only counted apart."""
    scope = _history_scope(q)
    where = [*scope, counted_order()]
    stmt = (select(Order.doc_id, Order.created_at, Order.owner, Order.customer_id, Customer.name,
                   Order.po_number, Order.grand_total, Order.erp_status, Order.erp_number,
                   Order.erp_reason)
            .outerjoin(Customer, Customer.customer_id == Order.customer_id).where(*where)
            .order_by(Order.created_at.desc(), Order.doc_id)
            .limit(q.filter.limit).offset(q.filter.offset))
    keys = [c.key for c in ORDER_COLUMNS]
    rows = [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]
    for row in rows:
        row["created_at"] = as_utc(row["created_at"])
        row["grand_total"] = money(row["grand_total"])
    totals = session.execute(select(Order.erp_status, func.count(), func.sum(Order.grand_total))
                             .where(*where).group_by(Order.erp_status)).all()
    by_status = Counter({status: n for status, n, _ in totals})
    summary = {"orders": sum(by_status.values()), "by_erp_status": dict(by_status),
               "order_value": sum((money(v) for _, _, v in totals), Decimal("0.00")),
               "cancelled": _cancelled(session, scope),
               "limit": q.filter.limit, "offset": q.filter.offset}
    return ReportTable("order_history", "Order history", ORDER_COLUMNS, rows, summary)


def _cancelled(session: Session, scope: list[ColumnElement[bool]]) -> dict[str, Any]:
    """How many orders of the range were cancelled, and their value: shown, never counted."""
    n, value = session.execute(select(func.count(), func.sum(Order.grand_total))
                               .where(*scope, ~counted_order())).one()
    return {"orders": int(n), "order_value": money(value)}


def set_target(session: Session, owner: str, month: date, order_value: Decimal, orders: int,
               set_by: str) -> None:
    """Store an engineer's target for a month (replacing the one there was)."""
    if order_value < 0 or orders < 0:
        raise InvalidTargetError("a target cannot be negative")
    if abs(order_value) >= Decimal(10) ** 14:
        raise InvalidTargetError("the target value is too large")
    known = session.execute(select(User.username).where(User.username == owner,
                                                        User.role == "engineer")).first()
    if known is None:
        raise InvalidTargetError(f"{owner} is not an engineer; targets are set per engineer")
    first = month_start(month)
    found = session.execute(select(SalesTarget.order_value, SalesTarget.orders).where(
        SalesTarget.owner == owner, SalesTarget.month == first)).first()
    value = order_value.quantize(Decimal("0.01"))
    upsert(session, SalesTarget, [{
        "owner": owner, "month": first, "order_value": value, "orders": orders,
        "set_by": set_by, "set_at": utcnow()}], ["owner", "month"])
    record(session, "target.set", "target", f"{owner}/{first:%Y-%m}",
           before={"order_value": found[0], "orders": found[1]} if found else None,
           after={"order_value": value, "orders": orders})
