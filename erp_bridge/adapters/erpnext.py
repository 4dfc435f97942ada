"""ERPNext (Frappe): `/api/resource/Sales Order`, `Customer` and `Item`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from erp_bridge.adapters.base import CustomerRecord, ProductRecord
from erp_bridge.adapters.http import ErpHttp
from erp_bridge.delivery import Accepted
from erp_bridge.errors import ErpRejected, ErpTransient
from erp_bridge.mapping import erpnext_order_payload, frappe_error_text

ORDERS = "/api/resource/Sales Order"
CANCEL = "/api/method/frappe.client.cancel"


class ErpNextErp:
    """Frappe's generic REST resources; `po_no` carries the idempotency key."""

    kind = "erpnext"

    def __init__(self, http: ErpHttp, defaults: dict[str, str], page_size: int = 500) -> None:
        self.http = http
        self.defaults = defaults
        self.page_size = page_size

    def create_order(self, snapshot: dict[str, Any]) -> Accepted:
        body = erpnext_order_payload(snapshot, self.defaults)
        response = self.http.send("POST", ORDERS, creates=True, json=body)
        if response.status_code in (200, 201):
            data = _json(response).get("data", {})
            return Accepted(str(data["name"]), _docstatus(data))
        if response.status_code == 409:
            found = self.find_order(snapshot)
            if found is not None:
                return found
        raise ErpRejected(frappe_error_text(response.status_code, response.text))

    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None:
        rows = self._page(ORDERS, ["name", "docstatus"], [["po_no", "=", snapshot["key"]]], 0)
        live = [row for row in rows if row.get("docstatus") != 2]  # 2 = cancelled
        if not live:
            return None
        return Accepted(str(live[0]["name"]), _docstatus(live[0]))

    def pull_customers(self, since: datetime | None) -> Iterator[CustomerRecord]:
        fields = ["name", "customer_name", "disabled", "modified"]
        for row in self._all("/api/resource/Customer", fields, since):
            yield CustomerRecord(str(row["name"]), str(row.get("customer_name") or row["name"]),
                                 bool(row.get("disabled")), _stamp(row.get("modified")))

    def pull_products(self, since: datetime | None) -> Iterator[ProductRecord]:
        fields = ["name", "item_name", "stock_uom", "disabled", "modified"]
        for row in self._all("/api/resource/Item", fields, since):
            yield ProductRecord(str(row["name"]), str(row.get("item_name") or row["name"]),
                                str(row.get("stock_uom") or ""), not row.get("disabled"),
                                _stamp(row.get("modified")))

    def _all(self, path: str, fields: list[str],
             since: datetime | None) -> Iterator[dict[str, Any]]:
        filters = []
        if since is not None:
            filters.append(["modified", ">=", since.strftime("%Y-%m-%d %H:%M:%S")])
        start = 0
        while True:
            rows = self._page(path, fields, filters, start)
            yield from rows
            if len(rows) < self.page_size:
                return
            start += len(rows)

    def _page(self, path: str, fields: list[str], filters: list[list[str]],
              start: int) -> list[dict[str, Any]]:
        response = self.http.send("GET", path, params={
            "fields": json.dumps(fields), "filters": json.dumps(filters),
            "order_by": "modified asc, name asc", "limit_start": str(start),
            "limit_page_length": str(self.page_size)})
        if response.status_code != 200:
            raise ErpTransient(frappe_error_text(response.status_code, response.text))
        return list(_json(response).get("data", []))

    def close(self) -> None:
        self.http.close()

    # Cancellation ------------------------------------------------------------------------

    def cancel_order(self, snapshot: dict[str, Any], number: str, reason: str) -> str:
        """Frappe's `frappe.client.cancel` moves a submitted order to docstatus 2; one found
        cancelled already (a resend after a lost answer) counts as done."""
        response = self.http.send("POST", CANCEL, json={"doctype": "Sales Order",
                                                        "name": number})
        if response.status_code == 200:
            return "cancelled"
        rows = self._page(ORDERS, ["name", "docstatus"], [["name", "=", number]], 0)
        if rows and rows[0].get("docstatus") == 2:
            return "cancelled"
        raise ErpRejected(frappe_error_text(response.status_code, response.text))


def _docstatus(data: dict[str, Any]) -> str:
    return {0: "draft", 1: "submitted", 2: "cancelled"}.get(data.get("docstatus", 0), "")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        return dict(response.json())
    except (ValueError, TypeError) as exc:
        raise ErpTransient(f"ERPNext answered {response.status_code} with no JSON") from exc


def _stamp(value: Any) -> datetime | None:
    # Frappe's `modified` is the site's local time without an offset; sites run in UTC here.
    try:
        parsed = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed and parsed.tzinfo is None else parsed
