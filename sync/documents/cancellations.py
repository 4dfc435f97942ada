"""Order cancellation requests: the `cancellation:<order key>` document and its rules (pure).

An engineer asks for an accepted order to be cancelled with a reason; a head or admin decides
through the API (the `decision:cancellation:<order key>` document the server writes back). The
decision binds the request's hash: a new reason after a refusal is a new request, while a
request that was approved can no longer change.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sync.documents import fields as f
from sync.documents.facts import MasterData
from sync.documents.fields import Checks
from sync.documents.trade import doc_ref

MAX_REASON = 200  # a decision keeps the reason it answered (head_decisions.terms)
_NO_REASON = ("reason is missing: say why the order should be cancelled, so your sales head "
              "can decide")


def cancellation_id(order_id: str) -> str:
    """The one request document an order can have: `cancellation:<the order's key>`."""
    return "cancellation:" + order_id.partition(":")[2]


def request_hash(doc: dict[str, Any]) -> str:
    """`sha256:<hex>` of what a head decides on: the order and the reason."""
    text = f"cancellation|{doc['order_id']}|{doc['reason'].strip()}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def check_cancellation(c: Checks, doc: dict[str, Any]) -> None:
    """The order it concerns and a reason a head can act on."""
    order_id = doc_ref(c, doc, "order_id", "order")
    reason = doc.get("reason")
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        c.add("reason", _NO_REASON, "required")
    else:
        f.text(c, doc, "reason", max_len=MAX_REASON)
    if order_id is not None and doc.get("_id") != cancellation_id(order_id):
        c.add("_id", f'_id must be "{cancellation_id(order_id)}": an order has one '
              "cancellation request, edited if asked again")


def check_cancellation_rules(c: Checks, doc: dict[str, Any], facts: MasterData) -> None:
    """Only the engineer's own accepted order; an approved request is final."""
    order_id = doc["order_id"]
    owner = facts.order_owner(order_id)
    if owner is None or owner != doc["owner"]:
        c.add("order_id", f'order_id "{order_id}" is not one of your orders the server has '
              "accepted; sync the order first")
        return
    decision = facts.decision(doc["_id"])
    if decision is None or decision.outcome != "approved":
        return
    if decision.terms_hash not in (None, request_hash(doc)):
        c.add("reason", f'the order was already cancelled on your request ("{decision.terms}"); '
              "the request can no longer change")
