"""SAP S/4HANA: `API_SALES_ORDER_SRV` orders, `API_BUSINESS_PARTNER` and `API_PRODUCT_SRV` pulls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from erp_bridge.adapters import sap_master as master
from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.adapters.http import ErpHttp
from erp_bridge.delivery import Accepted
from erp_bridge.errors import ErpMismatch, ErpRejected, ErpTransient
from erp_bridge.mapping import (
    odata_quote,
    sap_error_text,
    sap_net_differences,
    sap_order_payload,
)
from erp_bridge.master_codes import MasterCodes

ORDERS = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
PARTNERS = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
PRODUCTS = "/sap/opu/odata/sap/API_PRODUCT_SRV"


class SapErp:
    """OData V2 over a thin httpx client, with the CSRF handshake done by hand."""

    kind = "sap"

    def __init__(self, http: ErpHttp, defaults: dict[str, str], *,
                 codes: dict[str, str]) -> None:
        self.http = http
        self.defaults = defaults
        self.codes = codes
        self._token: str | None = None

    def create_order(self, snapshot: dict[str, Any]) -> Accepted:
        body = sap_order_payload(snapshot, self.defaults, self.codes)
        response = self._modify("POST", f"{ORDERS}/A_SalesOrder", json=body)
        if response.status_code != 201:
            raise ErpRejected(sap_error_text(response.status_code, response.text))
        order = _d(response)
        if "TotalNetAmount" not in order or not isinstance(order.get("to_Item"), dict):
            order = self._read_order(str(order["SalesOrder"]))
        return self._reconciled(snapshot, order)

    def _read_order(self, number: str) -> dict[str, Any]:
        response = self.http.send("GET", f"{ORDERS}/A_SalesOrder({odata_quote(number)})",
                                  params={"$expand": "to_Item", "$format": "json"})
        if response.status_code != 200:
            raise ErpTransient(sap_error_text(response.status_code, response.text))
        return _d(response)

    @staticmethod
    def _reconciled(snapshot: dict[str, Any], order: dict[str, Any]) -> Accepted:
        """SAP prices the order itself: accepted only when its net amounts equal FieldSync's."""
        number = str(order["SalesOrder"])
        differences = sap_net_differences(snapshot, order)
        if differences:
            raise ErpMismatch(
                f"SAP order {number} was created but SAP's net amounts differ from the signed "
                f"order: {'; '.join(differences)}. Correct the pricing of order {number} in SAP "
                "(or cancel it), then retry here: the retry finds the order and compares again.",
                number=number)
        return Accepted(number, str(order.get("OverallSDProcessStatus") or ""))

    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None:
        query = (f"PurchaseOrderByCustomer eq {odata_quote(snapshot['key'])} and "
                 f"SoldToParty eq {odata_quote(snapshot['customer_id'])}")
        response = self.http.send("GET", f"{ORDERS}/A_SalesOrder", params={
            "$filter": query, "$select": "SalesOrder,OverallSDProcessStatus",
            "$orderby": "SalesOrder", "$format": "json"})
        if response.status_code != 200:
            raise ErpTransient(sap_error_text(response.status_code, response.text))
        found = _d(response).get("results", [])
        if not found:
            return None
        return self._reconciled(snapshot, self._read_order(str(found[0]["SalesOrder"])))

    def update_order(self, number: str, changes: dict[str, Any]) -> None:
        """PATCH header fields with `If-Match`; a stale ETag (412) is re-read once."""
        for _ in range(2):
            url = f"{ORDERS}/A_SalesOrder({odata_quote(number)})"
            read = self.http.send("GET", url, params={"$format": "json"})
            if read.status_code != 200:
                raise ErpRejected(sap_error_text(read.status_code, read.text))
            etag = read.headers.get("etag") or _d(read)["__metadata"].get("etag", "")
            response = self._modify("PATCH", url, json=changes, headers={"If-Match": etag})
            if response.status_code == 204:
                return
            if response.status_code != 412:
                raise ErpRejected(sap_error_text(response.status_code, response.text))
        raise ErpTransient(f"Sales order {number} kept changing in SAP; try again later.")

    def _modify(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A state-changing request with the CSRF token; one refetch on 403 `Required`."""
        headers = dict(kwargs.pop("headers", {}))
        for fetched_now in (False, True):
            if self._token is None or fetched_now:
                self._token = self._fetch_token()
            response = self.http.send(method, url, creates=method == "POST",
                                      headers={**headers, "x-csrf-token": self._token},
                                      **kwargs)
            if not _csrf_refused(response):
                return response
        self._token = None
        raise ErpTransient("SAP refused the CSRF token twice (403 Required); will retry.")

    def _fetch_token(self) -> str:
        response = self.http.send("HEAD", f"{ORDERS}/", headers={"x-csrf-token": "Fetch"})
        token = response.headers.get("x-csrf-token", "")
        if response.status_code != 200 or not token or token.lower() == "required":
            raise ErpTransient(f"SAP gave no CSRF token (HTTP {response.status_code}); "
                               "check the ERP user and URL.")
        return token

    def pull_customers(self, since: datetime | None, codes: MasterCodes | None = None
                       ) -> Iterator[CustomerRecord]:
        codes = codes or MasterCodes()
        params = {"$expand": master.CUSTOMER_EXPAND, "$orderby": "BusinessPartner"}
        if since is not None:
            # A_BusinessPartner has a change date and time, no timestamp: filter the time here.
            day = since.strftime("%Y-%m-%dT00:00:00")
            params["$filter"] = f"LastChangeDate ge datetime'{day}'"
        for row in self._collection(f"{PARTNERS}/A_BusinessPartner", params):
            record = master.customer(row, codes)
            if record is not None and (since is None or record.changed_at is None
                                       or record.changed_at >= since):
                yield record

    def pull_products(self, since: datetime | None, codes: MasterCodes | None = None
                      ) -> Iterator[ProductRecord]:
        codes = codes or MasterCodes()
        params = {"$expand": master.PRODUCT_EXPAND, "$orderby": "Product"}
        if since is not None:
            stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
            params["$filter"] = f"LastChangeDateTime ge datetimeoffset'{stamp}'"
        for row in self._collection(f"{PRODUCTS}/A_Product", params):
            yield master.product(row, codes)

    def pull_prices(self, codes: MasterCodes | None = None) -> Iterator[PriceRecord]:
        """List prices: the condition records of the list-price condition type [I]."""
        codes = codes or MasterCodes()
        params = {"$filter": master.price_filter(codes), "$expand": master.PRICE_EXPAND,
                  "$orderby": "ConditionRecord"}
        for row in self._collection(f"{master.PRICES}/A_SlsPrcgCndnRecdValidity", params):
            record = master.price(row, codes)
            if record is not None:
                yield record

    def _collection(self, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every row of a collection, following `__next` on the same server only."""
        url: str | None = path
        # No $top: SAP pages on its own and links the next page in `__next`.
        query: dict[str, str] | None = {**params, "$format": "json"}
        while url:
            response = self.http.send("GET", url, params=query)
            if response.status_code != 200:
                raise ErpTransient(sap_error_text(response.status_code, response.text))
            page = _d(response)
            yield from page.get("results", [])
            url, query = self._same_origin(page.get("__next")), None

    def _same_origin(self, next_url: str | None) -> str | None:
        if not next_url:
            return None
        target, base = urlsplit(next_url), urlsplit(str(self.http.client.base_url))
        if target.netloc and target.netloc != base.netloc:
            raise ErpTransient(f"SAP sent a next page on another server: {next_url}")
        return next_url

    def close(self) -> None:
        self.http.close()


def _csrf_refused(response: httpx.Response) -> bool:
    return (response.status_code == 403
            and response.headers.get("x-csrf-token", "").lower() == "required")


def _d(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()["d"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ErpTransient(f"SAP answered {response.status_code} without a `d` body") from exc
    return dict(data)

