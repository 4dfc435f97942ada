"""The adapter for deployments without an ERP: orders stay visibly `not_sent`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.delivery import Accepted
from erp_bridge.errors import ErpConfigError
from erp_bridge.master_codes import MasterCodes


class NullErp:
    """No ERP configured: nothing is sent and no master data arrives."""

    kind = "null"

    def create_order(self, snapshot: dict[str, Any]) -> Accepted:
        raise ErpConfigError("No ERP is configured (FIELDSYNC_ERP_KIND=null); "
                             "the order stays not sent.")

    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None:
        return None

    def pull_customers(self, since: datetime | None, codes: MasterCodes | None = None
                       ) -> Iterator[CustomerRecord]:
        return iter(())

    def pull_products(self, since: datetime | None, codes: MasterCodes | None = None
                      ) -> Iterator[ProductRecord]:
        return iter(())

    def pull_prices(self, codes: MasterCodes | None = None) -> Iterator[PriceRecord]:
        return iter(())

    def close(self) -> None:
        return None
