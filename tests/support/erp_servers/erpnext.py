"""A test ERPNext: Frappe's `/api/resource/<DocType>` for Sales Order, Customer and Item."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tests.support.erp_servers.base import (
    ErpTestServer,
    Request,
    Response,
    after_commit,
    json_response,
    refusal,
)

PREFIX = "/api/resource/"


def frappe_error(status: int, exc_type: str, message: str) -> Response:
    messages = json.dumps([json.dumps({"message": message, "indicator": "red"})])
    return json_response(status, {"exc_type": exc_type,
                                  "exception": f"frappe.exceptions.{exc_type}: {message}",
                                  "_server_messages": messages})


class ErpNextServer(ErpTestServer):
    """Documents per DocType in memory; Sales Orders named by the SAL-ORD-.YYYY.- series."""

    def __init__(self, api_key: str = "key", api_secret: str = "secret") -> None:
        super().__init__()
        self.token = f"token {api_key}:{api_secret}"
        self.docs: dict[str, list[dict[str, Any]]] = {
            "Sales Order": [], "Customer": [], "Item": [], "Address": [],
            "Item Tax Template": [], "Item Price": [], "Custom Field": []}
        self.series = 0
        # The custom field that holds FieldSync's order id, and the site's output-tax accounts.
        self.order_id_field = "fieldsync_order_id"
        self.accounts = {"Output Tax CGST - FS", "Output Tax SGST - FS", "Output Tax IGST - FS"}

    def count(self, key: str) -> int:
        with self.lock:
            return sum(key in (d.get(self.order_id_field), d.get("po_no"))
                       for d in self.docs["Sales Order"])

    def received(self, key: str) -> dict[str, Any]:
        """The Sales Order created for FieldSync's key, as stored."""
        with self.lock:
            return next(d for d in self.docs["Sales Order"]
                        if key in (d.get(self.order_id_field), d.get("po_no")))

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != self.token:
            return frappe_error(401, "AuthenticationError", "Invalid API key or secret")
        doctype, _, name = request.path.removeprefix(PREFIX).partition("/")
        if not request.path.startswith(PREFIX) or doctype not in self.docs:
            return frappe_error(404, "DoesNotExist", f"DocType {doctype} not found")
        if request.method == "POST" and doctype == "Sales Order":
            return self._create(request)
        if request.method == "POST" and doctype == "Custom Field":
            return self._custom_field(request)
        if request.method == "GET" and name:
            return self._read(doctype, name)
        if request.method == "GET":
            return self._list(doctype, request)
        return frappe_error(405, "MethodNotAllowed", "Not allowed")

    def _create(self, request: Request) -> Response:
        fault = self.faults.take()
        refused = refusal(fault) if fault else None
        if refused is not None and refused.status == 429:
            limited = frappe_error(429, "RateLimitExceededError", "Too many requests")
            limited.headers["Retry-After"] = refused.headers["Retry-After"]
            return limited
        if refused is not None:
            return refused
        body = request.json()
        problem = self._invalid(body)
        if problem:
            return frappe_error(417, *problem)
        if self.order_id_field not in self._fields():
            body.pop(self.order_id_field, None)
        doc = self._store(body)
        return after_commit(fault, json_response(200, {"data": doc}), self.slow_s)

    def _custom_field(self, request: Request) -> Response:
        body = request.json()
        name = f"{body.get('dt')}-{body.get('fieldname')}"
        with self.lock:
            if any(d["name"] == name for d in self.docs["Custom Field"]):
                return frappe_error(409, "DuplicateEntryError", f"Custom Field {name} exists")
            doc = {**body, "name": name, "modified": datetime.now(UTC).isoformat()}
            self.docs["Custom Field"].append(doc)
        return json_response(200, {"data": doc})

    def _fields(self) -> set[str]:
        """Sales Order's custom fields: Frappe silently drops any other unknown field."""
        with self.lock:
            return {str(d.get("fieldname")) for d in self.docs["Custom Field"]
                    if d.get("dt") == "Sales Order"}

    def _invalid(self, body: Any) -> tuple[str, str] | None:
        for name in ("customer", "company", "transaction_date", "delivery_date"):
            if not body.get(name):
                return "MandatoryError", f"Error: Value missing for Sales Order: {name}"
        if str(body["customer"]).startswith("BAD"):
            return "LinkValidationError", f"Could not find Customer: {body['customer']}"
        if not body.get("items"):
            return "ValidationError", "Items are required"
        unknown = sorted({str(t.get("account_head")) for t in body.get("taxes") or []
                          if t.get("account_head") not in self.accounts})
        if unknown:
            return "LinkValidationError", f"Could not find Account: {', '.join(unknown)}"
        try:
            return _totals_problem(body)
        except (InvalidOperation, TypeError, ValueError) as exc:
            return "ValidationError", f"Invalid number in the Sales Order: {exc}"

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        with self.lock:
            self.series += 1
            name = f"SAL-ORD-{datetime.now(UTC).year}-{self.series:05d}"
            doc = {**body, "name": name, "doctype": "Sales Order", "creation": now,
                   "modified": now, "docstatus": body.get("docstatus", 0),
                   "status": "To Deliver and Bill" if body.get("docstatus") == 1 else "Draft"}
            self.docs["Sales Order"].append(doc)
        return doc

    def _read(self, doctype: str, name: str) -> Response:
        """One document with its child tables (a list leaves them out)."""
        with self.lock:
            found = [d for d in self.docs[doctype] if d["name"] == name]
        if not found:
            return frappe_error(404, "DoesNotExistError", f"{doctype} {name} not found")
        return json_response(200, {"data": {**found[0], "doctype": doctype}})

    def _list(self, doctype: str, request: Request) -> Response:
        fields = json.loads(request.query.get("fields", '["name"]'))
        filters = json.loads(request.query.get("filters", "[]"))
        with self.lock:
            rows = [d for d in self.docs[doctype] if all(_keep(d, f) for f in filters)]
        rows.sort(key=lambda d: (str(d.get("modified", "")), d["name"]))
        start = int(request.query.get("limit_start", 0))
        length = int(request.query.get("limit_page_length", 20))
        page = rows[start:start + length] if length else rows[start:]
        return json_response(200, {"data": [{k: d.get(k) for k in fields} for d in page]})


def _money(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def _totals_problem(body: dict[str, Any]) -> tuple[str, str] | None:
    """ERPNext's arithmetic: amount = rate × qty per item; each "On Net Total" row taxes every
    item at its own rate (`item_tax_rate`, else the row's), rounded once per row; grand total =
    net total + taxes. Totals that do not add up so are refused."""
    items = body["items"]
    amounts = [_money(Decimal(str(i["rate"])) * Decimal(str(i["qty"]))) for i in items]
    for row, (item, amount) in enumerate(zip(items, amounts, strict=True), start=1):
        if "amount" in item and _money(item["amount"]) != amount:
            return "ValidationError", (f"Row #{row}: Amount {item['amount']} is not Rate "
                                       f"{item['rate']} × Qty {item['qty']} = {amount}")
    net = sum(amounts, Decimal("0.00"))
    taxes = Decimal("0.00")
    for row in body.get("taxes") or []:
        exact = sum((amount * _item_rate(item, row) / 100
                     for item, amount in zip(items, amounts, strict=True)), Decimal(0))
        tax = _money(exact)
        if "tax_amount" in row and _money(row["tax_amount"]) != tax:
            return "ValidationError", (f"Tax {row.get('description') or row['account_head']}: "
                                       f"{row['tax_amount']} does not match {tax} on the net "
                                       "total")
        taxes += tax
    for field, value in (("net_total", net), ("total_taxes_and_charges", taxes),
                         ("grand_total", net + taxes)):
        if field in body and _money(body[field]) != value:
            return "ValidationError", (f"{field.replace('_', ' ').title()} {body[field]} does "
                                       f"not add up: the items and taxes give {value}")
    return None


def _item_rate(item: dict[str, Any], row: dict[str, Any]) -> Decimal:
    own = json.loads(item.get("item_tax_rate") or "{}")
    rate = own.get(row["account_head"], row.get("rate") or 0)
    return Decimal(str(rate))


def _keep(doc: dict[str, Any], condition: list[Any]) -> bool:
    name, op, value = condition[-3:]
    actual = doc.get(name)
    if op == "=":
        return bool(actual == value)
    if op == "in":
        return actual in value
    if op == ">=":
        return str(actual or "") >= str(value)
    if op == ">":
        return str(actual or "") > str(value)
    raise ValueError(f"unsupported filter operator {op}")
