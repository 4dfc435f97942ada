"""The one small interface every ERP adapter implements, and the master records it yields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from erp_bridge.delivery import Accepted


@dataclass(frozen=True)
class CustomerRecord:
    """A customer as the ERP knows it, normalised."""

    id: str
    name: str
    blocked: bool
    changed_at: datetime | None


@dataclass(frozen=True)
class ProductRecord:
    """A product (material, item) as the ERP knows it, normalised."""

    id: str
    name: str
    unit: str
    active: bool
    changed_at: datetime | None


class ErpAdapter(Protocol):
    """Create and find sales orders by their idempotency key; read master data."""

    # create_order raises ErpRejected (do not retry) or ErpTransient (retry later).

    kind: str

    def create_order(self, snapshot: dict[str, Any]) -> Accepted: ...
    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None: ...
    def pull_customers(self, since: datetime | None) -> Iterator[CustomerRecord]: ...
    def pull_products(self, since: datetime | None) -> Iterator[ProductRecord]: ...
    # Cancels an order the ERP accepted under `number`; returns the ERP's answer for people.
    def cancel_order(self, snapshot: dict[str, Any], number: str, reason: str) -> str: ...
    def close(self) -> None: ...
