"""Oracle Fusion: `salesOrdersForOrderHub` orders, `accounts` and `itemsV2` pulls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from erp_bridge.adapters import oracle_master as master
from erp_bridge.adapters.base import CustomerRecord, PriceRecord, ProductRecord
from erp_bridge.adapters.http import ErpHttp
from erp_bridge.delivery import Accepted
from erp_bridge.errors import ErpRejected, ErpTransient
from erp_bridge.mapping import oracle_error_text, oracle_failed, oracle_order_payload
from erp_bridge.master_codes import MasterCodes

ORDERS = "/fscmRestApi/resources/11.13.18.05/salesOrdersForOrderHub"
ACCOUNTS = "/crmRestApi/resources/11.13.18.05/accounts"
ITEMS = "/fscmRestApi/resources/11.13.18.05/itemsV2"
ITEM_JSON = "application/vnd.oracle.adf.resourceitem+json"


class OracleErp:
    """Plain REST; the source system and transaction id are the order's identity in Oracle."""

    kind = "oracle"

    def __init__(self, http: ErpHttp, source_system: str, defaults: dict[str, str],
                 page_size: int = 500, *, codes: dict[str, str]) -> None:
        self.http = http
        self.system = source_system
        self.defaults = defaults
        self.page_size = page_size
        self.codes = codes

    def create_order(self, snapshot: dict[str, Any]) -> Accepted:
        body = oracle_order_payload(snapshot, self.system, self.defaults, self.codes)
        response = self.http.send("POST", ORDERS, creates=True, json=body,
                                  headers={"Content-Type": ITEM_JSON})
        if response.status_code == 201:
            return self._created(response)
        text = response.text
        if response.status_code == 400 and "already exists" in text:
            found = self.find_order(snapshot)
            if found is None:
                raise ErpTransient(f"Oracle reports a duplicate it cannot show yet: {text}",
                                   outcome_unknown=True)
            return found
        raise ErpRejected(oracle_error_text(response.status_code, text))

    def _created(self, response: httpx.Response) -> Accepted:
        data = _json(response)
        message = str(data.get("MessageText") or "")
        # Oracle answers 201 even when validation failed; only MessageText tells.
        if oracle_failed(message):
            raise ErpRejected(message)
        return Accepted(str(data["OrderNumber"]), str(data.get("StatusCode") or ""),
                        f"HeaderId {data.get('HeaderId')}")

    def find_order(self, snapshot: dict[str, Any]) -> Accepted | None:
        response = self.http.send("GET", f"{ORDERS}/{self.system}:{snapshot['key']}",
                                  params={"fields": "HeaderId,OrderNumber,StatusCode"})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ErpTransient(oracle_error_text(response.status_code, response.text))
        data = _json(response)
        return Accepted(str(data["OrderNumber"]), str(data.get("StatusCode") or ""),
                        f"HeaderId {data.get('HeaderId')}")

    def pull_customers(self, since: datetime | None, codes: MasterCodes | None = None
                       ) -> Iterator[CustomerRecord]:
        for row in self._collection(ACCOUNTS, master.ACCOUNT_FIELDS, since,
                                    {"expand": master.ADDRESS}):
            yield master.customer(row)

    def pull_products(self, since: datetime | None, codes: MasterCodes | None = None
                      ) -> Iterator[ProductRecord]:
        for row in self._collection(ITEMS, master.ITEM_FIELDS, since,
                                    {"expand": "ItemCategory"}):
            yield master.product(row, codes or MasterCodes())

    def pull_prices(self, codes: MasterCodes | None = None) -> Iterator[PriceRecord]:
        """Each item's base-price charges on the configured price list (or every list) [I]."""
        codes = codes or MasterCodes()
        query = {"orderBy": "PriceListId"}
        if codes.price_list:
            query["q"] = f"PriceListName={codes.price_list}"
        for price_list in self._collection(master.PRICE_LISTS, master.LIST_FIELDS, None, query):
            path = f"{master.PRICE_LISTS}/{price_list['PriceListId']}/child/items"
            for item in self._collection(path, master.LIST_ITEM_FIELDS, None,
                                         {"expand": "charges", "orderBy": "ItemNumber"}):
                yield from master.prices(price_list, item)

    def _collection(self, path: str, fields: str, since: datetime | None,
                    extra: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Pages by `limit`/`offset` until `hasMore` is false."""
        params: dict[str, str] = {"fields": fields, "onlyData": "true",
                                  "limit": str(self.page_size), "orderBy": "LastUpdateDate",
                                  **(extra or {})}
        headers = {}
        if since is not None:
            # The expression form of `q` needs framework version 2 or later.
            params["q"] = f"LastUpdateDate >= '{since.strftime('%Y-%m-%dT%H:%M:%S+00:00')}'"
            headers["REST-Framework-Version"] = "2"
        offset = 0
        while True:
            response = self.http.send("GET", path, params={**params, "offset": str(offset)},
                                      headers=headers)
            if response.status_code != 200:
                raise ErpTransient(oracle_error_text(response.status_code, response.text))
            page = _json(response)
            items = list(page.get("items", []))
            yield from items
            if not page.get("hasMore") or not items:
                return
            offset += len(items)

    def close(self) -> None:
        self.http.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        return dict(response.json())
    except (ValueError, TypeError) as exc:
        raise ErpTransient(f"Oracle answered {response.status_code} with no JSON body") from exc

