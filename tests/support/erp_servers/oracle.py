"""A test Oracle Fusion: salesOrdersForOrderHub, crmRestApi accounts and itemsV2."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

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

ORDERS = "/fscmRestApi/resources/11.13.18.05/salesOrdersForOrderHub"
ACCOUNTS = "/crmRestApi/resources/11.13.18.05/accounts"
ITEMS = "/fscmRestApi/resources/11.13.18.05/itemsV2"
PRICE_LISTS = "/fscmRestApi/resources/11.13.18.05/priceLists"
ITEM_JSON = "application/vnd.oracle.adf.resourceitem+json"
COLLECTION_JSON = "application/vnd.oracle.adf.resourcecollection+json"
IMPORTED = "The application successfully imported the sales order."
NOT_SUBMITTED = "The application didn't submit the sales order because it failed validation."


class OracleServer(ErpTestServer):
    """Orders keyed by (SourceTransactionSystem, SourceTransactionId), as DOO_SOURCE_ORDERS is."""

    def __init__(self, username: str = "erpuser", password: str = "erppass",
                 max_limit: int = 500) -> None:
        super().__init__()
        self.credentials = (username, password)
        self.max_limit = max_limit
        self.orders: dict[tuple[str, str], dict[str, Any]] = {}
        self.next_header = 300000100000001
        self.accounts: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.price_lists: list[dict[str, Any]] = []  # each with its `items`, each with `charges`

    def count(self, key: str) -> int:
        with self.lock:
            return sum(source_id == key for _, source_id in self.orders)

    def handle(self, request: Request) -> Response:
        if basic_user(request.headers) != self.credentials:
            return text_response(401, "Unauthorized")
        path = request.path.rstrip("/")
        if path == ORDERS and request.method == "POST":
            return self._create(request)
        if path.startswith(ORDERS + "/") and request.method == "GET":
            return self._read(path.removeprefix(ORDERS + "/"), request)
        if path == ORDERS and request.method == "GET":
            return self._collection(request, list(self.orders.values()))
        if path == ACCOUNTS and request.method == "GET":
            return self._collection(request, self.accounts, master=True)
        if path == ITEMS and request.method == "GET":
            return self._collection(request, self.items, master=True)
        if path == PRICE_LISTS and request.method == "GET":
            return self._collection(request, self.price_lists, master=True)
        items = re.fullmatch(rf"{PRICE_LISTS}/([^/]+)/child/items", path)
        if items and request.method == "GET":
            found = [p for p in self.price_lists if str(p["PriceListId"]) == items.group(1)]
            if not found:
                return text_response(404, f"The requested resource {items.group(1)} was not found.")
            return self._collection(request, found[0]["items"], master=True)
        return text_response(404, f"The requested URL {path} was not found on this server.")

    def _create(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0]
        if content_type not in ("application/json", ITEM_JSON):
            return text_response(415, f"Unsupported media type {content_type}")
        fault = self.faults.take()
        refused = refusal(fault) if fault else None
        if refused is not None:
            return refused
        try:
            body = request.json()
        except ValueError:
            return text_response(400, "The request body is not valid JSON.")
        system, source_id = body.get("SourceTransactionSystem"), body.get("SourceTransactionId")
        if not system or not source_id:
            return text_response(400, "The attribute SourceTransactionSystem and "
                                      "SourceTransactionId are required.")
        with self.lock:
            if (system, source_id) in self.orders:
                return text_response(400, f"The request failed because a sales order with "
                                          f"transaction {source_id} from source system "
                                          f"{system} already exists.")
            problem = _price_problem(body)
            if problem:
                return text_response(400, problem)
            if not body.get("lines") or str(body.get("BuyingPartyNumber", "")).startswith("BAD"):
                # Validation failures still answer 201: only MessageText says so.
                failed = {**body, "MessageText": NOT_SUBMITTED, "StatusCode": None}
                return json_response(201, failed, pretty=True, content_type=ITEM_JSON)
            order = self._store(system, source_id, body)
        answer = json_response(201, _public(order, None), pretty=True, content_type=ITEM_JSON)
        return after_commit(fault, answer, self.slow_s)

    def _store(self, system: str, source_id: str, body: dict[str, Any]) -> dict[str, Any]:
        header_id = self.next_header
        self.next_header += 1
        now = datetime.now(UTC).isoformat(timespec="seconds")
        order = {**body, "HeaderId": header_id, "OrderNumber": str(header_id)[-6:],
                 "StatusCode": "OPEN" if body.get("SubmittedFlag") else "DOO_DRAFT",
                 "CreationDate": now, "LastUpdateDate": now, "MessageText": IMPORTED,
                 "links": [{"rel": "self", "href": f"{self.url}{ORDERS}/{header_id}"}]}
        self.orders[(system, source_id)] = order
        return order

    def _read(self, key: str, request: Request) -> Response:
        with self.lock:
            if ":" in key:
                system, _, source_id = key.partition(":")
                order = self.orders.get((system, source_id))
            else:
                order = next((o for o in self.orders.values() if str(o["HeaderId"]) == key),
                             None)
        if order is None:
            return text_response(404, f"The requested resource {key} was not found.")
        return json_response(200, _public(order, request.query.get("fields")),
                             content_type=ITEM_JSON)

    def _collection(self, request: Request, rows: list[dict[str, Any]],
                    master: bool = False) -> Response:
        query = request.query.get("q", "")
        version = int(request.headers.get("rest-framework-version", "1"))
        try:
            rows = [r for r in rows if _matches(r, query, version)]
        except ValueError as exc:
            return text_response(400, str(exc))
        rows.sort(key=lambda r: (str(r.get("LastUpdateDate", "")), str(r.get("PartyNumber")
                                 or r.get("ItemNumber") or r.get("HeaderId"))))
        offset = int(request.query.get("offset", 0))
        limit = min(int(request.query.get("limit", 25)), self.max_limit)
        page = rows[offset:offset + limit]
        data: dict[str, Any] = {
            "items": [_child_aware(r, request.query.get("fields"), request.query.get("expand"))
                      if master else _public(r, request.query.get("fields")) for r in page],
            "count": len(page), "hasMore": offset + len(page) < len(rows),
            "limit": limit, "offset": offset,
            "links": [{"rel": "self", "href": f"{self.url}{request.path}"}]}
        if request.query.get("totalResults") == "true":
            data["totalResults"] = len(rows)
        return json_response(200, data, content_type=COLLECTION_JSON)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _paise(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _price_problem(body: dict[str, Any]) -> str:
    """With prices and tax frozen, what the order carries must add up, line by line and in
    its totals: quantity × list price, less the manual adjustments, is the extended amount;
    each tax is its rate of that; the totals are their sums."""
    try:
        net, tax, lines = Decimal(0), Decimal(0), body.get("lines") or []
        for line in lines:
            problem, line_tax = _line_problem(line)
            if problem:
                return problem
            net, tax = net + _dec(line.get("ExtendedAmount", 0)), tax + line_tax
        return _totals_problem(body.get("totals") or [], net, tax)
    except (InvalidOperation, KeyError, TypeError, ValueError) as exc:
        return f"The sales order has an invalid price or tax attribute: {exc!r}."


def _line_problem(line: dict[str, Any]) -> tuple[str, Decimal]:
    number = line.get("SourceTransactionLineNumber")
    if "UnitListPrice" not in line:
        return "", Decimal(0)
    selling = _dec(line["UnitListPrice"])
    for adjustment in sorted(line.get("manualPriceAdjustments") or [],
                             key=lambda a: int(a.get("SequenceNumber", 0))):
        kind, amount = adjustment["AdjustmentTypeCode"], _dec(adjustment["AdjustmentAmount"])
        if kind == "PRICE_OVERRIDE":
            selling = amount
        elif kind == "DISCOUNT_PERCENT":
            selling = selling * (100 - amount) / 100
        elif kind == "DISCOUNT_AMOUNT":
            selling -= amount
        else:
            return f"The adjustment type {kind} on line {number} isn't valid.", Decimal(0)
    if selling != _dec(line["UnitSellingPrice"]):
        return (f"The unit selling price {line['UnitSellingPrice']} on line {number} doesn't "
                f"match the list price after manual price adjustments ({selling})."), Decimal(0)
    extended = _paise(selling * _dec(line["OrderedQuantity"]))
    if extended != _dec(line["ExtendedAmount"]):
        return (f"The extended amount {line['ExtendedAmount']} on line {number} doesn't match "
                f"the ordered quantity times the unit selling price ({extended})."), Decimal(0)
    tax = Decimal(0)
    for detail in line.get("taxDetails") or []:
        due = _paise(_dec(detail["TaxableAmount"]) * _dec(detail["TaxRate"]) / 100)
        if _dec(detail["TaxableAmount"]) != extended or due != _dec(detail["TaxAmount"]):
            return (f"The tax {detail.get('TaxRateCode')} on line {number} doesn't match its "
                    f"rate {detail['TaxRate']}% of the extended amount ({due})."), Decimal(0)
        tax += due
    return "", tax


def _totals_problem(totals: list[dict[str, Any]], net: Decimal, tax: Decimal) -> str:
    amounts = [_dec(t["TotalAmount"]) for t in totals]
    if not amounts:
        return ""
    if len(amounts) != 3 or amounts != [net, tax, net + tax]:
        return (f"The order totals {', '.join(str(a) for a in amounts)} don't match its lines: "
                f"net {net}, tax {tax}, total {net + tax}.")
    return ""


def _public(row: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return dict(row)
    return {k: v for k, v in row.items() if k in fields.split(",")}


def _child_aware(row: dict[str, Any], fields: str | None, expand: str | None) -> dict[str, Any]:
    """`fields=A,B;Child:C,D` and `expand=Child`: children (lists of rows) only when expanded."""
    parent, *children = (fields or "").split(";")
    wanted = {name: spec.split(",") for name, _, spec in (c.partition(":") for c in children)}
    expanded = set((expand or "").split(",")) if expand != "all" else set(row)
    data = {}
    for key, value in row.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            if key in expanded:
                data[key] = [{k: v for k, v in child.items()
                              if key not in wanted or k in wanted[key]} for child in value]
        elif not parent or key in parent.split(","):
            data[key] = value
    return data


def _matches(row: dict[str, Any], query: str, version: int) -> bool:
    """Version 1 `Attr=val;…`, or from version 2 the expression `Attr >= 'value'`."""
    if not query:
        return True
    expression = re.fullmatch(r"(\w+) (>=|>|<=|<|=) '([^']*)'", query.strip())
    if expression is not None:
        if version < 2:
            raise ValueError("The q expression syntax needs REST-Framework-Version 2 or later.")
        name, op, value = expression.groups()
        actual = _instant(str(row.get(name, "")))
        wanted = _instant(value)
        return {">=": actual >= wanted, ">": actual > wanted, "<=": actual <= wanted,
                "<": actual < wanted, "=": actual == wanted}[op]
    pairs = (part.split("=", 1) for part in query.split(";") if "=" in part)
    return all(str(row.get(name)) == value for name, value in pairs)


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
