"""ERPNext (Frappe): `/api/resource/Sales Order`, `Customer` and `Item`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from erp_bridge.adapters import erpnext_master as master
from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.adapters.http import ErpHttp
from erp_bridge.delivery import Accepted
from erp_bridge.errors import ErpRejected, ErpTransient
from erp_bridge.mapping import erpnext_order_payload, frappe_error_text
from erp_bridge.master_codes import MasterCodes

ORDERS = "/api/resource/Sales Order"
CUSTOM_FIELDS = "/api/resource/Custom Field"


class ErpNextErp:
    """Frappe's generic REST resources; a custom field carries the idempotency key."""

    kind = "erpnext"

    def __init__(self, http: ErpHttp, defaults: dict[str, str], page_size: int = 500, *,
                 codes: dict[str, str]) -> None:
        self.http = http
        self.defaults = defaults
        self.page_size = page_size
        self.codes = codes
        self._key_field_ready = False

    def ensure_key_field(self) -> None:
        """Create the Sales Order custom field that holds FieldSync's key, once.

        Frappe drops fields a doctype does not have without a word: an order sent before the
        field exists would lose its key and could not be found again after a timeout.
        """
        if self._key_field_ready:
            return
        field = self.codes["order_id_field"]
        wanted = [["dt", "=", "Sales Order"], ["fieldname", "=", field]]
        if not self._page(CUSTOM_FIELDS, ["name"], wanted, 0):
            response = self.http.send("POST", CUSTOM_FIELDS, json={
                "dt": "Sales Order", "fieldname": field, "label": "FieldSync order id",
                "fieldtype": "Data", "unique": 1, "read_only": 1, "no_copy": 1,
                "insert_after": "po_date"})
            if response.status_code not in (200, 201, 409):  # 409: created meanwhile
                why = frappe_error_text(response.status_code, response.text)
                raise ErpRejected(
                    f"The Sales Order field {field} for FieldSync's order key is missing and "
                    f"could not be created ({why}); an ERPNext administrator creates it once "
                    "(Custom Field on Sales Order, type Data, unique).")
        self._key_field_ready = True

    def create_order(self, snapshot: dict[str, Any]) -> Accepted:
        self.ensure_key_field()
        body = erpnext_order_payload(snapshot, self.defaults, self.codes)
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
        self.ensure_key_field()
        # Orders sent before the key moved to its own field carry it in `po_no`.
        for field in (self.codes["order_id_field"], "po_no"):
            rows = self._page(ORDERS, ["name", "docstatus"], [[field, "=", snapshot["key"]]], 0)
            live = [row for row in rows if row.get("docstatus") != 2]  # 2 = cancelled
            if live:
                return Accepted(str(live[0]["name"]), _docstatus(live[0]))
        return None

    def pull_customers(self, since: datetime | None, codes: MasterCodes | None = None
                       ) -> Iterator[CustomerRecord]:
        rows = list(self._all("/api/resource/Customer", master.CUSTOMER_FIELDS, since))
        # One Address query per page of customers, not one per customer.
        for start in range(0, len(rows), self.page_size):
            page = rows[start:start + self.page_size]
            names = [str(r["customer_primary_address"]) for r in page
                     if r.get("customer_primary_address")]
            addresses = {str(a["name"]): a for a in self._page(
                "/api/resource/Address", master.ADDRESS_FIELDS, [["name", "in", names]], 0)
                } if names else {}
            for row in page:
                address = addresses.get(str(row.get("customer_primary_address")), {})
                yield master.customer(row, address, _stamp(row.get("modified")))

    def pull_products(self, since: datetime | None, codes: MasterCodes | None = None
                      ) -> Iterator[ProductRecord]:
        rates = master.template_rates(list(self._all(
            "/api/resource/Item Tax Template", ["name", "gst_rate"], None)), codes or MasterCodes())
        today = datetime.now(UTC).date()
        for row in self._all("/api/resource/Item", master.ITEM_FIELDS, since):
            # The list leaves out child tables: the item's tax templates need the item itself.
            item = self._doc("/api/resource/Item", str(row["name"]))
            yield master.product(row, item, rates, _stamp(row.get("modified")), today)

    def pull_prices(self, codes: MasterCodes | None = None) -> Iterator[PriceRecord]:
        codes = codes or MasterCodes()
        filters: list[list[Any]] = [["selling", "=", 1]]
        if codes.price_list:
            filters.append(["price_list", "=", codes.price_list])
        for row in self._all("/api/resource/Item Price", master.PRICE_FIELDS, None, filters):
            record = master.price(row)
            if record is not None:
                yield record

    def _doc(self, path: str, name: str) -> dict[str, Any]:
        response = self.http.send("GET", f"{path}/{quote(name, safe='')}")
        if response.status_code != 200:
            raise ErpTransient(frappe_error_text(response.status_code, response.text))
        return dict(_json(response).get("data") or {})

    def _all(self, path: str, fields: list[str], since: datetime | None,
             base: list[list[Any]] | None = None) -> Iterator[dict[str, Any]]:
        filters = list(base or [])
        if since is not None:
            filters.append(["modified", ">=", since.strftime("%Y-%m-%d %H:%M:%S")])
        start = 0
        while True:
            rows = self._page(path, fields, filters, start)
            yield from rows
            if len(rows) < self.page_size:
                return
            start += len(rows)

    def _page(self, path: str, fields: list[str], filters: list[list[Any]],
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
