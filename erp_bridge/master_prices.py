"""The ERP's list prices as FieldSync price lists (`server.sql.models.master.PriceList`).

A FieldSync list has one validity and one reach, an ERP price has its own: prices are grouped
by (ERP list, customer, valid from, valid to), one FieldSync list per group. A customer's own
prices in the ERP override its general ones there; in FieldSync a customer's list is the only
one read for that customer, so it carries the general prices of its ERP list too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from erp_bridge.adapters.base import PriceRecord
from server.sql.models.master import PriceList, PriceListItem

ALWAYS = date(2000, 1, 1)  # an ERP price without a start date
CENT = Decimal("0.01")
Group = tuple[str, str | None, date | None, date | None]  # list, customer, from, to


def group_prices(records: list[PriceRecord]) -> dict[Group, dict[str, Decimal]]:
    groups: dict[Group, dict[str, Decimal]] = defaultdict(dict)
    for r in records:
        groups[(r.price_list, r.customer_id, r.valid_from, r.valid_to)][r.product_id] = \
            r.price.quantize(CENT)
    general: dict[str, dict[str, Decimal]] = defaultdict(dict)
    # The general prices of each ERP list, the newest start date last (it wins).
    for key in sorted((k for k in groups if k[1] is None), key=lambda k: k[2] or ALWAYS):
        general[key[0]].update(groups[key])
    for key, prices in groups.items():
        if key[1] is not None:
            groups[key] = {**general.get(key[0], {}), **prices}
    return groups


def list_id(prefix: str, key: Group) -> str:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:12]
    return f"{prefix}{digest}"


def list_name(key: Group) -> str:
    name, customer, start, end = key
    reach = f" for {customer}" if customer else ""
    until = f" to {end.isoformat()}" if end else ""
    return f"{name} (ERP){reach}, from {(start or ALWAYS).isoformat()}{until}"[:200]


def save_price_lists(session: Session, prefix: str, records: list[PriceRecord]) -> None:
    """Write one list per group and deactivate the ERP's lists that no longer come."""
    seen = set()
    for key, prices in group_prices(records).items():
        pid = list_id(prefix, key)
        seen.add(pid)
        row = session.get(PriceList, pid)
        if row is None:
            row = PriceList(price_list_id=pid)
            session.add(row)
        row.name, row.valid_from, row.valid_to = list_name(key), key[2] or ALWAYS, key[3]
        row.active, row.customer_id = True, key[1]
        row.customer_group = row.territory_code = None
        session.flush()
        session.execute(delete(PriceListItem).where(PriceListItem.price_list_id == pid))
        session.add_all(PriceListItem(price_list_id=pid, product_id=product, unit_price=price)
                        for product, price in sorted(prices.items()))
    for stale in session.scalars(select(PriceList).where(
            PriceList.price_list_id.startswith(prefix, autoescape=True))):
        if stale.price_list_id not in seen:
            stale.active = False
