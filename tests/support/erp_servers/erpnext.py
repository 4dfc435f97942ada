"""A test ERPNext: Frappe's `/api/resource/<DocType>` for Sales Order, Customer and Item."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
CANCEL = "/api/method/frappe.client.cancel"


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
        self.docs: dict[str, list[dict[str, Any]]] = {"Sales Order": [], "Customer": [],
                                                       "Item": []}
        self.series = 0
        self.cancels: list[str] = []  # the names frappe.client.cancel cancelled, in order

    def count(self, key: str) -> int:
        with self.lock:
            return sum(d.get("po_no") == key for d in self.docs["Sales Order"])

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != self.token:
            return frappe_error(401, "AuthenticationError", "Invalid API key or secret")
        if request.path == CANCEL and request.method == "POST":
            return self._cancel(request)
        doctype = request.path.removeprefix(PREFIX)
        if not request.path.startswith(PREFIX) or doctype not in self.docs:
            return frappe_error(404, "DoesNotExist", f"DocType {doctype} not found")
        if request.method == "POST" and doctype == "Sales Order":
            return self._create(request)
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
        doc = self._store(body)
        return after_commit(fault, json_response(200, {"data": doc}), self.slow_s)

    def _cancel(self, request: Request) -> Response:
        """`frappe.client.cancel`: a submitted document (docstatus 1) becomes cancelled (2)."""
        body = request.json() or {}
        with self.lock:
            docs = self.docs.get(str(body.get("doctype")), [])
            doc = next((d for d in docs if d["name"] == body.get("name")), None)
            if doc is None:
                return frappe_error(404, "DoesNotExist",
                                    f"{body.get('doctype')} {body.get('name')} not found")
            if doc["docstatus"] != 1:
                return frappe_error(417, "DocstatusTransitionError",
                                    "Cannot change docstatus from "
                                    f"{doc['docstatus']} to 2")
            doc.update(docstatus=2, status="Cancelled")
            self.cancels.append(doc["name"])
        return json_response(200, {"message": {**doc}})

    def _invalid(self, body: Any) -> tuple[str, str] | None:
        for name in ("customer", "company", "transaction_date", "delivery_date"):
            if not body.get(name):
                return "MandatoryError", f"Error: Value missing for Sales Order: {name}"
        if str(body["customer"]).startswith("BAD"):
            return "LinkValidationError", f"Could not find Customer: {body['customer']}"
        if not body.get("items"):
            return "ValidationError", "Items are required"
        return None

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


def _keep(doc: dict[str, Any], condition: list[Any]) -> bool:
    name, op, value = condition[-3:]
    actual = doc.get(name)
    if op == "=":
        return bool(actual == value)
    if op == ">=":
        return str(actual or "") >= str(value)
    if op == ">":
        return str(actual or "") > str(value)
    raise ValueError(f"unsupported filter operator {op}")
