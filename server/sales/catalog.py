"""Master-data changes by admins: customers, products, price lists, territories, published after.

Every change commits in SQL first and is then published to the phones' read-only databases
(outside the transaction, so a slow store never holds SQL locks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from server.audit.recorder import changes, record
from server.sales.errors import InvalidRequestError, NotFoundError, StateError
from server.sales.masterdata import (
    CustomerValues,
    PriceListValues,
    ProductValues,
    check_customer,
    check_price_list,
    check_product,
    territory_code,
)
from server.sql.models.base import utcnow
from server.sql.models.master import Customer, PriceList, PriceListItem, Product, Territory
from server.sql.session import transaction


class Publisher(Protocol):
    """Pushes SQL master data to the phones (sync.publish.MasterDataPublisher)."""

    def publish_all(self) -> Any: ...


# Writes something of the caller's in the same transaction (an import job marked done).
BeforeCommit = Callable[[Session], None]

TERRITORY_CODE = re.compile(r"[A-Z0-9-]{1,32}")


def territory_exists(session: Session) -> Any:
    return lambda code: session.get(Territory, territory_code(code)) is not None


def product_exists(session: Session) -> Any:
    return lambda product_id: session.get(Product, product_id) is not None


class CatalogService:
    """Create, change and deactivate master data; every change reaches the phones."""

    def __init__(self, sessions: sessionmaker[Session], publisher: Publisher) -> None:
        self.sessions = sessions
        self.publisher = publisher

    # Territories ---------------------------------------------------------------------------

    def save_territory(self, code: str, name: str) -> Territory:
        code = territory_code(code)
        if not TERRITORY_CODE.fullmatch(code):
            raise InvalidRequestError("a territory code is 1-32 letters, digits or '-'",
                                      {"code": ["1-32 letters, digits or '-'"]})
        with transaction(self.sessions) as s:
            found = s.get(Territory, code)
            before = {"name": found.name} if found is not None else None
            territory = found or Territory(code=code)
            territory.name = name.strip() or code
            s.add(territory)
            s.flush()
            record(s, "territory.save", "territory", code, before=before,
                   after={"name": territory.name})
        self.publisher.publish_all()
        return territory

    # Customers -----------------------------------------------------------------------------

    def create_customer(self, row: Mapping[str, Any]) -> Customer:
        return self.save_customers([row], create=True)[0]

    def update_customer(self, customer_id: str, changes: Mapping[str, Any]) -> Customer:
        with self.sessions() as s:
            current = s.get(Customer, customer_id)
            if current is None:
                raise NotFoundError(f"customer {customer_id!r} does not exist")
            merged = {**_customer_row(current), **changes, "customer_id": customer_id}
        return self.save_customers([merged], create=False)[0]

    def save_customers(self, rows: Iterable[Mapping[str, Any]], *, create: bool | None = None,
                       before_commit: BeforeCommit | None = None) -> list[Customer]:
        """Insert or update customers in one transaction (all or nothing), then publish."""
        with transaction(self.sessions) as s:
            exists = territory_exists(s)
            saved = [self._put_customer(s, check_customer(row, exists), create) for row in rows]
            if before_commit is not None:
                before_commit(s)
        self.publisher.publish_all()
        return saved

    @staticmethod
    def _put_customer(s: Session, values: CustomerValues, create: bool | None) -> Customer:
        row = s.get(Customer, values.customer_id)
        if create is True and row is not None:
            raise StateError(f"customer {values.customer_id!r} already exists; change it with "
                             "PATCH instead")
        before = _customer_row(row) if row is not None else None
        row = row or Customer(customer_id=values.customer_id)
        for key, value in asdict(values).items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.add(row)
        s.flush()
        _audit(s, "customer", values.customer_id, before, _customer_row(row))
        return row

    # Products ------------------------------------------------------------------------------

    def create_product(self, row: Mapping[str, Any]) -> Product:
        return self.save_products([row], create=True)[0]

    def update_product(self, product_id: str, changes: Mapping[str, Any]) -> Product:
        with self.sessions() as s:
            current = s.get(Product, product_id)
            if current is None:
                raise NotFoundError(f"product {product_id!r} does not exist")
            merged = {**_product_row(current), **changes, "product_id": product_id}
        return self.save_products([merged], create=False)[0]

    def save_products(self, rows: Iterable[Mapping[str, Any]], *, create: bool | None = None,
                      before_commit: BeforeCommit | None = None) -> list[Product]:
        """Insert or update products in one transaction (all or nothing), then publish."""
        with transaction(self.sessions) as s:
            saved = [self._put_product(s, check_product(row), create) for row in rows]
            if before_commit is not None:
                before_commit(s)
        self.publisher.publish_all()
        return saved

    @staticmethod
    def _put_product(s: Session, values: ProductValues, create: bool | None) -> Product:
        row = s.get(Product, values.product_id)
        if create is True and row is not None:
            raise StateError(f"product {values.product_id!r} already exists; change it with "
                             "PATCH instead")
        before = _product_row(row) if row is not None else None
        row = row or Product(product_id=values.product_id)
        for key, value in asdict(values).items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.add(row)
        s.flush()
        _audit(s, "product", values.product_id, before, _product_row(row))
        return row

    # Price lists ---------------------------------------------------------------------------

    def save_price_list(self, values: Mapping[str, Any], *, create: bool) -> PriceList:
        with transaction(self.sessions) as s:
            checked = check_price_list(values, product_exists(s))
            row = s.get(PriceList, checked.price_list_id)
            if create and row is not None:
                raise StateError(f"price list {checked.price_list_id!r} already exists")
            if not create and row is None:
                raise NotFoundError(f"price list {checked.price_list_id!r} does not exist")
            before = _price_list_row(s, row) if row is not None else None
            row = self._put_price_list(s, row, checked)
            s.flush()
            _audit(s, "price_list", row.price_list_id, before, _price_list_row(s, row))
        self.publisher.publish_all()
        return row

    @staticmethod
    def _put_price_list(s: Session, row: PriceList | None, values: PriceListValues
                        ) -> PriceList:
        row = row or PriceList(price_list_id=values.price_list_id)
        row.name, row.valid_from, row.valid_to = values.name, values.valid_from, values.valid_to
        row.active = values.active
        row.customer_id, row.customer_group = values.customer_id, values.customer_group
        row.territory_code = values.territory_code
        s.add(row)
        s.flush()
        s.execute(delete(PriceListItem).where(PriceListItem.price_list_id == row.price_list_id))
        s.add_all(PriceListItem(price_list_id=row.price_list_id, product_id=p, unit_price=v)
                  for p, v in values.prices.items())
        return row

    def price_list_items(self, price_list_id: str) -> dict[str, Any]:
        with self.sessions() as s:
            rows = s.scalars(select(PriceListItem).where(
                PriceListItem.price_list_id == price_list_id))
            return {i.product_id: i.unit_price for i in rows}


def _audit(s: Session, entity: str, key: str, before: dict[str, Any] | None,
           after: dict[str, Any]) -> None:
    """A create with everything it holds, or an update with only what changed."""
    if before is None:
        record(s, f"{entity}.create", entity, key, after=after)
        return
    old, new = changes(before, after)
    if new:  # saving the same values again (a re-import) changes nothing worth a row
        record(s, f"{entity}.update", entity, key, before=old, after=new)


def _price_list_row(s: Session, row: PriceList) -> dict[str, Any]:
    # Columns, not entities: the items are replaced right after, under the same keys.
    items = s.execute(select(PriceListItem.product_id, PriceListItem.unit_price).where(
        PriceListItem.price_list_id == row.price_list_id))
    return {"name": row.name, "valid_from": row.valid_from, "valid_to": row.valid_to,
            "active": row.active, "customer_id": row.customer_id,
            "customer_group": row.customer_group, "territory_code": row.territory_code,
            "items": dict(items.all())}


def _customer_row(c: Customer) -> dict[str, Any]:
    return {key: getattr(c, key) for key in CustomerValues.__dataclass_fields__}


def _product_row(p: Product) -> dict[str, Any]:
    return {key: getattr(p, key) for key in ProductValues.__dataclass_fields__}
