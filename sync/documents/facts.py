"""What the document rules need to know about master data and earlier documents.

The rules are pure: the worker answers these questions from SQL, tests from plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from sync.documents.canonical import business_key, offer_hash, terms_hash
from sync.documents.pricelists import PriceListFacts


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: str
    active: bool
    state_code: str  # GST state code, e.g. "29" (Karnataka), "27" (Maharashtra)
    territory: str
    lat: float | None = None
    lon: float | None = None
    group: str | None = None  # the customer group a price list may name
    city: str = ""  # named in a refusal, so the engineer knows which customer is meant


@dataclass(frozen=True)
class ProductFacts:
    product_id: str
    active: bool
    gst_rate: Decimal  # percent, e.g. Decimal("18")
    unit: str = "nos"


@dataclass(frozen=True)
class OfferFacts:
    """An offer as the server last accepted it."""

    offer_id: str
    owner: str
    customer_id: str
    status: str
    content_hash: str  # "sha256:<hex>" of the canonical content (docs/documents.md)
    business_key: str  # canonical content without validity: what an order must match
    approved: bool  # a customer approval with a matching hash was accepted
    grand_total: Decimal
    max_discount_pct: Decimal = Decimal(0)  # the largest effective line discount, percent
    terms_hash: str = ""  # hash of the commercial terms a head's decision binds


@dataclass(frozen=True)
class DecisionFacts:
    """A head's decision and the terms it binds (None: recorded before terms were hashed)."""

    outcome: str
    terms_hash: str | None = None
    terms: str = ""  # what was approved, for people: "15%", "₹500.00"
    reimbursed: bool = False


@dataclass(frozen=True)
class ServerStep:
    """A lead step the server wrote when a head or admin acted through the API."""

    stage: str
    at: str  # the step's moment in UTC, as `server_step` writes it
    by: str


def server_step(stage: str, at: str | datetime, by: str) -> ServerStep:
    """A step with its moment in one spelling (UTC, microseconds), however it was written."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:  # SQLite hands back UTC without its offset
        moment = moment.replace(tzinfo=UTC)
    return ServerStep(stage, moment.astimezone(UTC).isoformat(timespec="microseconds"), by)


class MasterData(Protocol):
    """Answers the business rules' questions; implemented over SQL by the worker."""

    company_state: str

    def customer(self, customer_id: str) -> CustomerFacts | None: ...
    def product(self, product_id: str) -> ProductFacts | None: ...
    def offer(self, offer_id: str) -> OfferFacts | None: ...
    def lead_stage(self, lead_id: str) -> str | None: ...
    def discount_limit(self, owner: str) -> Decimal | None: ...
    def decision(self, subject_id: str) -> DecisionFacts | None: ...  # a head's, if decided
    def price_lists(self) -> Sequence[PriceListFacts]: ...
    def server_steps(self, lead_id: str) -> frozenset[ServerStep]: ...
    # The engineer's territory first, then the extra ones an admin allowed; None: not checked.
    def territories(self, owner: str) -> tuple[str, ...] | None: ...


def _max_discount(offer: dict[str, Any]) -> Decimal:
    lines = offer.get("lines")
    values = [Decimal(str(line.get("discount_pct", "0"))) for line in lines or ()
              if isinstance(line, dict)] if isinstance(lines, list) else []
    return max(values, default=Decimal(0))


def offer_facts(offer: dict[str, Any], *, approved: bool,
                max_discount_pct: Decimal | None = None) -> OfferFacts:
    """The facts the rules keep about an accepted offer document."""
    totals = offer.get("totals") or {}
    return OfferFacts(
        offer_id=str(offer["_id"]),
        owner=str(offer.get("owner", "")),
        customer_id=str(offer.get("customer_id", "")),
        status=str(offer.get("status", "")),
        content_hash=offer_hash(offer),
        business_key=business_key(offer),
        approved=approved,
        grand_total=Decimal(str(totals.get("grand_total", "0"))),
        max_discount_pct=(_max_discount(offer) if max_discount_pct is None
                          else max_discount_pct),
        terms_hash=terms_hash(offer),
    )


@dataclass
class DictMasterData:
    """Master data held in plain dicts: for unit tests and callers who already hold the facts."""

    company_state: str
    customers: dict[str, CustomerFacts] = field(default_factory=dict)
    products: dict[str, ProductFacts] = field(default_factory=dict)
    offers: dict[str, OfferFacts] = field(default_factory=dict)
    leads: dict[str, str] = field(default_factory=dict)  # lead id -> stage the server holds
    limits: dict[str, Decimal] = field(default_factory=dict)  # engineer -> discount limit %
    # subject id -> the head's decision, or just its outcome (binding whatever the terms)
    decisions: dict[str, DecisionFacts | str] = field(default_factory=dict)
    lists: list[PriceListFacts] = field(default_factory=list)
    steps: dict[str, set[ServerStep]] = field(default_factory=dict)  # lead id -> server's
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)  # engineer -> territories

    @classmethod
    def of(
        cls,
        company_state: str,
        customers: Iterable[CustomerFacts] = (),
        products: Iterable[ProductFacts] = (),
        offers: Iterable[OfferFacts] = (),
        leads: dict[str, str] | None = None,
    ) -> DictMasterData:
        """Build from lists of facts, keyed by their ids."""
        return cls(
            company_state,
            {c.customer_id: c for c in customers},
            {p.product_id: p for p in products},
            {o.offer_id: o for o in offers},
            dict(leads or {}),
        )

    def add_offer(self, offer: dict[str, Any], *, approved: bool = True,
                  max_discount_pct: Decimal | None = None) -> OfferFacts:
        """Record an offer document as accepted (and approved unless told otherwise)."""
        facts = offer_facts(offer, approved=approved, max_discount_pct=max_discount_pct)
        self.offers[facts.offer_id] = facts
        return facts

    def customer(self, customer_id: str) -> CustomerFacts | None:
        return self.customers.get(customer_id)

    def product(self, product_id: str) -> ProductFacts | None:
        return self.products.get(product_id)

    def offer(self, offer_id: str) -> OfferFacts | None:
        return self.offers.get(offer_id)

    def lead_stage(self, lead_id: str) -> str | None:
        return self.leads.get(lead_id)

    def discount_limit(self, owner: str) -> Decimal | None:
        return self.limits.get(owner)

    def decision(self, subject_id: str) -> DecisionFacts | None:
        found = self.decisions.get(subject_id)
        return DecisionFacts(found) if isinstance(found, str) else found

    def price_lists(self) -> Sequence[PriceListFacts]:
        return self.lists

    def server_steps(self, lead_id: str) -> frozenset[ServerStep]:
        return frozenset(self.steps.get(lead_id, ()))

    def territories(self, owner: str) -> tuple[str, ...] | None:
        return self.areas.get(owner)
