"""A test SAP S/4HANA: API_SALES_ORDER_SRV, API_BUSINESS_PARTNER and API_PRODUCT_SRV (OData V2)."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from tests.support.erp_servers.base import (
    ErpTestServer,
    Request,
    Response,
    after_commit,
    basic_user,
    json_response,
    refusal,
    text_response,
)

ROOT = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
PARTNERS = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
PRODUCTS = "/sap/opu/odata/sap/API_PRODUCT_SRV"
PRICING = "/sap/opu/odata/sap/API_SLSPRICINGCONDITIONRECORD_SRV"
COOKIE = "SAP_SESSIONID_FS1_100"
HEADER_REQUIRED = ("SalesOrderType", "SalesOrganization", "DistributionChannel",
                   "OrganizationDivision", "SoldToParty")
METADATA = """<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">
 <edmx:DataServices m:DataServiceVersion="2.0"
   xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <Schema Namespace="API_SALES_ORDER_SRV" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
   <EntityType Name="A_SalesOrderType"><Key><PropertyRef Name="SalesOrder"/></Key>
    <Property Name="SalesOrder" Type="Edm.String" Nullable="false" MaxLength="10"/>
    <Property Name="PurchaseOrderByCustomer" Type="Edm.String" MaxLength="35"/>
    <Property Name="LastChangeDateTime" Type="Edm.DateTimeOffset" ConcurrencyMode="Fixed"/>
   </EntityType>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>"""


def odata_ms(moment: datetime, offset: bool = False) -> str:
    ms = int(moment.timestamp() * 1000)
    return f"/Date({ms}+0000)/" if offset else f"/Date({ms})/"


def sap_error(status: int, code: str, text: str) -> Response:
    body = {"error": {"code": code, "message": {"lang": "en", "value": text},
                      "innererror": {"application": {"component_id": "SD-SLS-API",
                                                     "service_id": "API_SALES_ORDER_SRV"},
                                     "transactionid": secrets.token_hex(16).upper(),
                                     "errordetails": [{"code": code, "message": text,
                                                       "propertyref": "", "severity": "error",
                                                       "target": ""}]}}}
    return json_response(status, body)


class SapServer(ErpTestServer):
    """Orders in memory keyed by SalesOrder; master data set by the test."""

    def __init__(self, username: str = "erpuser", password: str = "erppass",
                 page_cap: int = 1000) -> None:
        super().__init__()
        self.credentials = (username, password)
        self.page_cap = page_cap
        self.orders: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str] = {}  # session cookie -> token
        self.next_number = 4711
        self.partners: list[dict[str, Any]] = []
        self.products: list[dict[str, Any]] = []
        self.prices: list[dict[str, Any]] = []  # A_SlsPrcgCndnRecdValidity rows
        self.reject_duplicate_po = False
        # The pricing procedure: condition types it knows, by what they do.
        self.price_conditions = {"PR00"}
        self.discount_conditions = {"K007", "DRV1"}
        self.tax_conditions = {"JOCG", "JOSG", "JOIG"}
        # Condition records SAP applies on its own (material -> discount %), as K004 would.
        self.material_discounts: dict[str, Decimal] = {}

    def count(self, key: str) -> int:
        with self.lock:
            return sum(o["PurchaseOrderByCustomer"] == key for o in self.orders.values())

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def handle(self, request: Request) -> Response:
        if basic_user(request.headers) != self.credentials:
            return text_response(401, "Logon failed", {"WWW-Authenticate": 'Basic realm="SAP"'})
        if request.headers.get("x-csrf-token", "").lower() == "fetch" and \
                request.method in ("GET", "HEAD"):
            return self._fetch_token(request)
        if request.method in ("POST", "PATCH", "PUT", "DELETE", "MERGE") and \
                not self._token_ok(request):
            return text_response(403, "CSRF token validation failed",
                                 {"x-csrf-token": "Required"})
        return self._route(request)

    def _route(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        if path == f"{ROOT}/$metadata":
            return Response(200, METADATA.encode(), {"Content-Type": "application/xml"})
        if path == f"{ROOT}/A_SalesOrder" and method == "POST":
            return self._create(request)
        if path == f"{ROOT}/A_SalesOrder" and method == "GET":
            return self._collection(request, list(self.orders.values()), "A_SalesOrder")
        match = re.fullmatch(rf"{ROOT}/A_SalesOrder\('([^']+)'\)", path)
        if match and method == "GET":
            return self._read(match.group(1))
        if match and method == "PATCH":
            return self._patch(match.group(1), request)
        if path == f"{PARTNERS}/A_BusinessPartner" and method == "GET":
            return self._collection(request, self.partners, "A_BusinessPartner")
        if path == f"{PRODUCTS}/A_Product" and method == "GET":
            return self._collection(request, self.products, "A_Product")
        if path == f"{PRICING}/A_SlsPrcgCndnRecdValidity" and method == "GET":
            return self._collection(request, self.prices, "A_SlsPrcgCndnRecdValidity")
        if path in (ROOT, PARTNERS, PRODUCTS, PRICING):
            return json_response(200, {"d": {"EntitySets": ["A_SalesOrder"]}})
        return sap_error(404, "/IWFND/CM_MGW/020", f"Resource not found for segment {path}")

    def _fetch_token(self, request: Request) -> Response:
        with self.lock:
            cookie = _cookie(request.headers.get("cookie", "")) or secrets.token_hex(16)
            token = self.tokens.setdefault(cookie, secrets.token_urlsafe(18))
        return Response(200, b"", {"x-csrf-token": token,
                                   "Set-Cookie": f"{COOKIE}={cookie}; path=/; HttpOnly",
                                   "Content-Type": "application/json"})

    def _token_ok(self, request: Request) -> bool:
        cookie = _cookie(request.headers.get("cookie", ""))
        with self.lock:
            return bool(cookie) and self.tokens.get(cookie or "") == \
                request.headers.get("x-csrf-token")

    def _create(self, request: Request) -> Response:
        fault = self.faults.take()
        if fault == "token-expiry":
            self.expire_tokens()
            return text_response(403, "CSRF token validation failed", {"x-csrf-token": "Required"})
        refused = refusal(fault) if fault else None
        if refused is not None:
            return refused
        try:
            body = request.json()
        except ValueError:
            return sap_error(400, "/IWFND/CM_MGW/004", "Malformed JSON in the request body")
        problem = self._invalid(body)
        if problem:
            return sap_error(400, "V1/123", problem)
        order = self._store(body)
        return after_commit(fault, self._entity_response(201, order), self.slow_s)

    def _invalid(self, body: Any) -> str:
        if not isinstance(body, dict):
            return "The request body must be an A_SalesOrder entity"
        missing = [name for name in HEADER_REQUIRED if not body.get(name)]
        if missing:
            return f"Mandatory field(s) missing: {', '.join(missing)}"
        if str(body["SoldToParty"]).startswith("BAD"):
            return f"Sold-to party {body['SoldToParty']} not defined"
        items = body.get("to_Item")
        items = items.get("results") if isinstance(items, dict) else items
        if not items or any(not i.get("Material") or not i.get("RequestedQuantity")
                            for i in items):
            return "Enter at least one item with a material and a requested quantity"
        po = body.get("PurchaseOrderByCustomer", "")
        if self.reject_duplicate_po and po and self.count(po):
            return f"Purchase order {po} already exists for this customer"
        known = self.price_conditions | self.discount_conditions | self.tax_conditions
        unknown = sorted({str(e.get("ConditionType")) for i in items for e in _elements(i)
                          if e.get("ConditionType") not in known})
        if unknown:
            return (f"Condition type {', '.join(unknown)} is not allowed in the pricing "
                    "procedure of this sales area")
        return ""

    def _price(self, item: dict[str, Any]) -> dict[str, Any]:
        """SAP's own pricing of an item: base from the price condition, then percentages."""
        quantity = Decimal(str(item["RequestedQuantity"]))
        priced: list[dict[str, Any]] = []
        base = Decimal(0)
        for element in _elements(item):
            if element["ConditionType"] in self.price_conditions:
                per = Decimal(str(element.get("ConditionQuantity") or "1"))
                base += _paise(Decimal(str(element["ConditionRateValue"])) * quantity / per)
                priced.append({**element, "ConditionAmount": str(_paise(base))})
        net = base
        discounts = [(e["ConditionType"], Decimal(str(e["ConditionRateValue"])))
                     for e in _elements(item) if e["ConditionType"] in self.discount_conditions]
        own = self.material_discounts.get(str(item.get("Material")))
        if own is not None:
            discounts.append(("K004", -own))
        for condition, rate in discounts:
            amount = _paise(base * rate / 100)  # rate is negative for a discount
            net += amount
            priced.append({"ConditionType": condition, "ConditionRateValue": str(rate),
                           "ConditionAmount": str(amount)})
        tax = Decimal(0)
        for element in _elements(item):
            if element["ConditionType"] in self.tax_conditions:
                amount = _paise(net * Decimal(str(element["ConditionRateValue"])) / 100)
                tax += amount
                priced.append({**element, "ConditionAmount": str(amount)})
        return {**{k: v for k, v in item.items() if k != "to_PricingElement"},
                "NetAmount": str(net), "TaxAmount": str(tax),
                "to_PricingElement": {"results": priced}}

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        items = body["to_Item"]
        items = list(items.get("results") or []) if isinstance(items, dict) else list(items)
        now = datetime.now(UTC)
        with self.lock:
            number = str(self.next_number)
            self.next_number += 1
            header = {k: v for k, v in body.items() if not isinstance(v, (dict, list))}
            priced = [{**self._price(i), "SalesOrder": number} for i in items]
            texts = body.get("to_Text") or []
            texts = texts.get("results", []) if isinstance(texts, dict) else texts
            order = {**header, "SalesOrder": number, "CreationDate": odata_ms(now),
                     "LastChangeDateTime": odata_ms(now, True), "OverallSDProcessStatus": "A",
                     "TotalNetAmount": str(sum((Decimal(i["NetAmount"]) for i in priced),
                                               Decimal("0.00"))),
                     "_changed": now, "to_Item": priced,
                     "to_Text": [{**t, "SalesOrder": number} for t in texts]}
            self.orders[number] = order
        return order

    def _entity_response(self, status: int, order: dict[str, Any]) -> Response:
        uri = f"{self.url}{ROOT}/A_SalesOrder('{order['SalesOrder']}')"
        etag = _etag(order)
        entity = {k: v for k, v in order.items() if not k.startswith("_")}
        entity["__metadata"] = {"id": uri, "uri": uri, "etag": etag,
                                "type": "API_SALES_ORDER_SRV.A_SalesOrderType"}
        entity["to_Item"] = {"results": order["to_Item"]}
        entity["to_Text"] = {"results": order["to_Text"]}
        entity["to_Partner"] = {"__deferred": {"uri": uri + "/to_Partner"}}
        return json_response(status, {"d": entity}, headers={
            "Location": uri, "ETag": etag, "dataserviceversion": "2.0",
            "Content-Type": "application/json; charset=utf-8"})

    def _read(self, number: str) -> Response:
        order = self.orders.get(number)
        if order is None:
            return sap_error(404, "/IWBEP/CM_MGW_RT/020", f"Resource not found: {number}")
        return self._entity_response(200, order)

    def _patch(self, number: str, request: Request) -> Response:
        order = self.orders.get(number)
        if order is None:
            return sap_error(404, "/IWBEP/CM_MGW_RT/020", f"Resource not found: {number}")
        given = request.headers.get("if-match")
        if not given:
            return sap_error(428, "/IWBEP/CM_MGW_RT/098", "Precondition required: If-Match")
        with self.lock:
            if given != _etag(order):
                return sap_error(412, "/IWBEP/CM_MGW_RT/022", "Precondition failed (ETag)")
            now = datetime.now(UTC)
            order.update({k: v for k, v in request.json().items() if not isinstance(v, list)})
            order["LastChangeDateTime"], order["_changed"] = odata_ms(now, True), now
        return Response(204)

    def _collection(self, request: Request, rows: list[dict[str, Any]], name: str) -> Response:
        with self.lock:
            rows = [r for r in rows if _matches(r, request.query.get("$filter", ""))]
        rows.sort(key=lambda r: str(r.get(_key(name), "")))
        skip = int(request.query.get("$skiptoken") or request.query.get("$skip") or 0)
        top = request.query.get("$top")
        # Client paging ($top) gets no __next; server paging caps the page and links the rest.
        limit = min(int(top), self.page_cap) if top else self.page_cap
        page = [_public(r, request.query.get("$select")) for r in rows[skip:skip + limit]]
        if name != "A_SalesOrder":  # master data: navigation properties only when expanded
            page = [self._expanded(r, request.query.get("$expand", ""), name) for r in page]
        data: dict[str, Any] = {"results": page}
        if request.query.get("$inlinecount") == "allpages":
            data["__count"] = str(len(rows))
        if not top and skip + limit < len(rows):
            data["__next"] = self._next_url(request, skip + limit)
        return json_response(200, {"d": data})

    def _expanded(self, row: dict[str, Any], expand: str, name: str) -> dict[str, Any]:
        wanted = {part.split("/")[0] for part in expand.split(",") if part}
        uri = f"{self.url}/{name}('{row.get(_key(name))}')"
        return {k: v if not k.startswith("to_") or k in wanted
                else {"__deferred": {"uri": f"{uri}/{k}"}} for k, v in row.items()}

    def _next_url(self, request: Request, skip: int) -> str:
        query = {k: v for k, v in request.query.items() if k not in ("$skip", "$skiptoken")}
        query["$skiptoken"] = str(skip)
        text = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
        return f"{self.url}{request.path}?{text}"


def _elements(item: dict[str, Any]) -> list[dict[str, Any]]:
    """An item's pricing elements, sent as a bare array or as `{"results": [...]}`."""
    found = item.get("to_PricingElement") or []
    return list(found.get("results", []) if isinstance(found, dict) else found)


def _paise(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _cookie(header: str) -> str | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def _etag(order: dict[str, Any]) -> str:
    stamp = order["_changed"].strftime("%Y-%m-%dT%H%%3A%M%%3A%S.%fZ")
    return f"W/\"datetimeoffset'{stamp}'\""


def _key(name: str) -> str:
    return {"A_SalesOrder": "SalesOrder", "A_BusinessPartner": "BusinessPartner",
            "A_SlsPrcgCndnRecdValidity": "ConditionRecord"}.get(name, "Product")


def _public(row: dict[str, Any], select: str | None) -> dict[str, Any]:
    data = {k: v for k, v in row.items()
            if not k.startswith("_") and k not in ("to_Item", "to_Text")}
    if select:
        data = {k: v for k, v in data.items() if k in select.split(",")}
    return json.loads(json.dumps(data))


_TERM = re.compile(r"(\w+) (eq|ge|gt|le|lt) (?:(datetime|datetimeoffset)?'((?:[^']|'')*)')")


def _matches(row: dict[str, Any], expression: str) -> bool:
    """`Field eq 'x'` and date comparisons joined by `and` (all this test server needs)."""
    if not expression:
        return True
    for term in expression.split(" and "):
        match = _TERM.fullmatch(term.strip())
        if match is None:
            raise ValueError(f"unsupported $filter term {term!r}")
        field, op, kind, raw = match.groups()
        value = raw.replace("''", "'")
        actual: Any = row.get(field)
        if kind:
            actual = _parse_ms(actual)
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            value = value if value.tzinfo else value.replace(tzinfo=UTC)
            if actual is None:
                return False
        if not _compare(actual, op, value):
            return False
    return True


def _compare(actual: Any, op: str, value: Any) -> bool:
    if op == "eq":
        return bool(actual == value)
    return bool({"ge": actual >= value, "gt": actual > value,
                 "le": actual <= value, "lt": actual < value}[op])


def _parse_ms(value: Any) -> datetime | None:
    match = re.fullmatch(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/", str(value or ""))
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC) if match else None
