"""An engineer's day for the map: points from SQL, markers for visits, offers, approvals and
orders, shaped as GeoJSON by server.location.day_route."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.location import DayRules, GpsPoint, RouteMarker, day_route
from server.reports.filters import ReportFilter
from server.reports.sqlutil import as_utc
from server.sql.models.documents import CustomerApproval, Offer, Order, Visit
from server.sql.models.documents import GpsPoint as GpsPointRow
from server.sql.models.reports import LocationVerification

V = LocationVerification


def _points(session: Session, owner: str, start: datetime, end: datetime) -> list[GpsPoint]:
    p = GpsPointRow
    rows = session.execute(select(p.lat, p.lon, p.accuracy_m, p.at, p.speed_mps, p.mock)
                           .where(p.owner == owner, p.at >= start, p.at < end).order_by(p.at))
    return [GpsPoint(lat, lon, acc, as_utc(at) or at, speed, bool(mock))
            for lat, lon, acc, at, speed, mock in rows]


def _markers(session: Session, kind: str, model: Any, at: Any, lat: Any, lon: Any, owner: str,
             start: datetime, end: datetime, *extra: Any) -> list[RouteMarker]:
    rows = session.execute(
        select(model.doc_id, at, lat, lon, V.status, V.distance_m, *extra)
        .outerjoin(V, V.doc_id == model.doc_id)
        .where(model.owner == owner, at >= start, at < end, lat.is_not(None), lon.is_not(None))
        .order_by(at))
    markers = []
    for doc_id, when, y, x, status, distance, *more in rows:
        props: dict[str, Any] = {"verification": status,
                                 "distance_m": None if distance is None else round(distance)}
        props.update(zip([c.key for c in extra], more, strict=True))
        markers.append(RouteMarker(kind, doc_id, y, x, as_utc(when), {
            k: str(v) if hasattr(v, "as_tuple") else v for k, v in props.items()}))
    return markers


def engineer_day(session: Session, owner: str, day: date, tz: ZoneInfo,
                 rules: DayRules | None = None) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of one engineer-day (local day in `tz`)."""
    start, end = ReportFilter(day, day).bounds(tz)
    markers = [
        *_markers(session, "visit", Visit, Visit.check_in_at, Visit.check_in_lat,
                  Visit.check_in_lon, owner, start, end, Visit.customer_id, Visit.purpose),
        *_markers(session, "offer", Offer, Offer.created_at, Offer.loc_lat, Offer.loc_lon,
                  owner, start, end, Offer.customer_id, Offer.grand_total, Offer.status),
        *_markers(session, "approval", CustomerApproval, CustomerApproval.signed_at,
                  CustomerApproval.loc_lat, CustomerApproval.loc_lon, owner, start, end,
                  CustomerApproval.offer_id),
        *_markers(session, "order", Order, Order.created_at, Order.loc_lat, Order.loc_lon,
                  owner, start, end, Order.customer_id, Order.grand_total, Order.erp_status),
    ]
    route = day_route(_points(session, owner, start, end), markers, rules)
    route["properties"] = {"engineer": owner, "day": day.isoformat(), "time_zone": tz.key}
    return route
