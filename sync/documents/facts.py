"""What the document rules need to know about master data and earlier documents.

The rules are pure: the worker answers these questions from SQL, tests from plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: str
    active: bool
    state_code: str  # GST state code, e.g. "29" (Karnataka), "27" (Maharashtra)
    territory: str
    lat: float | None = None
    lon: float | None = None


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


class MasterData(Protocol):
    """Answers the business rules' questions; implemented over SQL by the worker."""

    company_state: str

    def customer(self, customer_id: str) -> CustomerFacts | None: ...
    def product(self, product_id: str) -> ProductFacts | None: ...
    def offer(self, offer_id: str) -> OfferFacts | None: ...
    def lead_stage(self, lead_id: str) -> str | None: ...
