"""The one small interface every ERP adapter implements, and the master records it yields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from erp_bridge.delivery import Accepted
from erp_bridge.master_codes import MasterCodes


@dataclass(frozen=True)
class CustomerRecord:
    """A customer as the ERP knows it, normalised."""

    id: str
    name: str
    blocked: bool
    changed_at: datetime | None
    # What the ERP has of these; None or "" where it has nothing (existing values are kept).
    state_code: str | None = None  # GST state code
    gstin: str | None = None
    address: str = ""
    city: str = ""
    pincode: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ProductRecord:
    """A product (material, item) as the ERP knows it, normalised."""

    id: str
    name: str
    unit: str
    active: bool
    changed_at: datetime | None
    hsn_code: str = ""
    gst_rate: Decimal | None = None  # None: the ERP's tax code maps to no known rate
    tax_code: str = ""  # the ERP's tax classification, named when it maps to no rate


@dataclass(frozen=True)
class PriceRecord:
    """One list price of one product from the ERP, valid over a period."""

    price_list: str  # the ERP's list (ERPNext price list, SAP condition type, Oracle list)
    product_id: str
    price: Decimal  # per unit
    valid_from: date | None = None
    valid_to: date | None = None
    customer_id: str | None = None  # a price for one customer only
    currency: str = "INR"


class ErpAdapter(Protocol):
    """Create and find sales orders by their idempotency key; read master data."""

    # create_order raises ErpRejected (do not retry) or ErpTransient (retry later).

    kind: str

    def create_order(self, snapshot: dict[str, Any]) -> Accepted: ...
    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None: ...
    # Master-data reads take the deployment's ERP codes (None: the defaults).
    def pull_customers(self, since: datetime | None, codes: MasterCodes | None = None
                       ) -> Iterator[CustomerRecord]: ...
    def pull_products(self, since: datetime | None, codes: MasterCodes | None = None
                      ) -> Iterator[ProductRecord]: ...
    def pull_prices(self, codes: MasterCodes | None = None) -> Iterator[PriceRecord]: ...
    def close(self) -> None: ...
