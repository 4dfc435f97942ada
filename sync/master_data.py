"""The rules' master data and earlier documents, read from SQL in a few queries per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.sql.models.accounts import ExtraTerritory, User
from server.sql.models.documents import CustomerApproval, Lead, Offer
from server.sql.models.master import Customer, PriceList, PriceListItem, Product
from server.sql.models.sales import HeadDecision, ServerLeadStep
from sync.documents.facts import (
    CustomerFacts,
    DecisionFacts,
    OfferFacts,
    ProductFacts,
    ServerStep,
    offer_facts,
)
from sync.documents.pricelists import PriceListFacts
from sync.documents.rules import effective_max_discount

_MAX_ID = 160  # longer values cannot be ids; never send them to SQL


@dataclass
class References:
    """The master data and documents a batch of documents points at."""

    customers: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    offers: set[str] = field(default_factory=set)
    leads: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)  # subjects a head's decision may concern

    def add(self, kind: set[str], value: Any) -> None:
        if isinstance(value, str) and 0 < len(value) <= _MAX_ID:
            kind.add(value)


def references(docs: Iterable[dict[str, Any]]) -> References:
    """Every id the documents refer to; tolerant of malformed documents (not validated yet)."""
    refs = References()
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("_deleted"):
            continue
        doc_type = doc.get("type")
        refs.add(refs.customers, doc.get("customer_id"))
        refs.add(refs.offers, doc.get("offer_id"))
        refs.add(refs.leads, doc.get("lead_id"))
        if doc_type in ("offer", "lead"):  # the rules compare with the version held
            refs.add(refs.offers if doc_type == "offer" else refs.leads, doc.get("_id"))
        if doc_type in ("offer", "expense"):
            refs.add(refs.decided, doc.get("_id"))
        refs.add(refs.decided, doc.get("offer_id"))
        lines = doc.get("lines")
        for line in lines if isinstance(lines, list) else ():
            if isinstance(line, dict):
                refs.add(refs.products, line.get("product_id"))
    return refs


class SqlMasterData:
    """`MasterData` over one SQL session, with what the current batch accepted on top."""

    def __init__(self, session: Session, company_state: str) -> None:
        self.session = session
        self.company_state = company_state
        self._customers: dict[str, CustomerFacts | None] = {}
        self._products: dict[str, ProductFacts | None] = {}
        self._offers: dict[str, OfferFacts | None] = {}
        self._approvals: dict[str, set[str]] = defaultdict(set)  # offer id -> signed hashes
        self._leads: dict[str, str | None] = {}
        self._limits: dict[str, Decimal | None] = {}
        self._lists: list[PriceListFacts] | None = None
        self._decisions: dict[str, DecisionFacts | None] = {}
        self._steps: dict[str, frozenset[ServerStep]] = {}
        self._areas: dict[str, tuple[str, ...] | None] = {}

    def prefetch(self, docs: Iterable[dict[str, Any]]) -> None:
        """Load everything the documents refer to: one query per kind, not per document."""
        refs = references(docs)
        self._load_customers(refs.customers - self._customers.keys())
        self._load_products(refs.products - self._products.keys())
        self._load_offers(refs.offers - self._offers.keys())
        self._load_leads(refs.leads - self._leads.keys())
        self._load_decisions(refs.decided - self._decisions.keys())

    def remember(self, doc: dict[str, Any]) -> None:
        """Make an accepted document visible to the documents after it in the same batch."""
        doc_id, doc_type = str(doc.get("_id", "")), doc.get("type")
        if doc.get("_deleted"):
            prefix = doc_id.partition(":")[0]
            if prefix == "offer":
                self._offers[doc_id] = None
            elif prefix == "lead":
                self._leads[doc_id] = None
        elif doc_type == "offer":
            self._offers[doc_id] = offer_facts(
                doc, approved=False, max_discount_pct=effective_max_discount(doc, self))
        elif doc_type == "approval":
            self._approvals[str(doc.get("offer_id"))].add(str(doc.get("offer_hash")))
        elif doc_type == "lead":
            self._leads[doc_id] = str(doc.get("stage"))

    def customer(self, customer_id: str) -> CustomerFacts | None:
        if customer_id not in self._customers:
            self._load_customers({customer_id})
        return self._customers.get(customer_id)

    def product(self, product_id: str) -> ProductFacts | None:
        if product_id not in self._products:
            self._load_products({product_id})
        return self._products.get(product_id)

    def offer(self, offer_id: str) -> OfferFacts | None:
        if offer_id not in self._offers:
            self._load_offers({offer_id})
        facts = self._offers.get(offer_id)
        if facts is None:
            return None
        return replace(facts, approved=facts.content_hash in self._approvals.get(offer_id, ()))

    def lead_stage(self, lead_id: str) -> str | None:
        if lead_id not in self._leads:
            self._load_leads({lead_id})
        return self._leads.get(lead_id)

    def discount_limit(self, owner: str) -> Decimal | None:
        if owner not in self._limits:
            self._limits[owner] = self.session.scalar(
                select(User.discount_limit_pct).where(User.username == owner[:64]))
        return self._limits[owner]

    def decision(self, subject_id: str) -> DecisionFacts | None:
        if subject_id not in self._decisions:
            self._load_decisions({subject_id})
        return self._decisions.get(subject_id)

    def price_lists(self) -> Sequence[PriceListFacts]:
        if self._lists is None:
            self._lists = load_price_lists(self.session)
        return self._lists

    def server_steps(self, lead_id: str) -> frozenset[ServerStep]:
        if lead_id not in self._steps:
            self._load_steps({lead_id})
        return self._steps.get(lead_id, frozenset())

    def territories(self, owner: str) -> tuple[str, ...] | None:
        if owner not in self._areas:
            self._areas[owner] = load_territories(self.session, owner)
        return self._areas[owner]

    # Loading ----------------------------------------------------------------------------------

    def _load_customers(self, ids: set[str]) -> None:
        wanted = _valid(ids)
        self._customers.update(dict.fromkeys(ids))
        if not wanted:
            return
        for c in self.session.scalars(select(Customer).where(Customer.customer_id.in_(wanted))):
            self._customers[c.customer_id] = CustomerFacts(
                customer_id=c.customer_id, active=c.active, state_code=c.state_code,
                territory=c.territory_code, lat=c.lat, lon=c.lon, group=c.customer_group,
                city=c.city)

    def _load_products(self, ids: set[str]) -> None:
        wanted = _valid(ids)
        self._products.update(dict.fromkeys(ids))
        if not wanted:
            return
        for p in self.session.scalars(select(Product).where(Product.product_id.in_(wanted))):
            self._products[p.product_id] = ProductFacts(
                product_id=p.product_id, active=p.active, gst_rate=p.gst_rate, unit=p.unit)

    def _load_offers(self, ids: set[str]) -> None:
        wanted = _valid(ids)
        self._offers.update(dict.fromkeys(ids))
        if not wanted:
            return
        rows = self.session.execute(
            select(Offer.doc_id, Offer.owner, Offer.customer_id, Offer.status,
                   Offer.content_hash, Offer.business_key, Offer.grand_total,
                   Offer.max_discount_pct, Offer.terms_hash)
            .where(Offer.doc_id.in_(wanted)))
        for doc_id, owner, customer_id, status, content_hash, key, total, disc, terms in rows:
            self._offers[doc_id] = OfferFacts(
                offer_id=doc_id, owner=owner, customer_id=customer_id, status=status,
                content_hash=content_hash, business_key=key, approved=False,
                grand_total=total, max_discount_pct=disc, terms_hash=terms)
        signed = self.session.execute(
            select(CustomerApproval.offer_id, CustomerApproval.offer_hash)
            .where(CustomerApproval.offer_id.in_(wanted)))
        for offer_id, offer_hash in signed:
            self._approvals[offer_id].add(offer_hash)

    def _load_leads(self, ids: set[str]) -> None:
        wanted = _valid(ids)
        self._leads.update(dict.fromkeys(ids))
        if not wanted:
            return
        rows = self.session.execute(select(Lead.doc_id, Lead.stage).where(Lead.doc_id.in_(wanted)))
        for doc_id, stage in rows:
            self._leads[doc_id] = stage
        self._load_steps(ids)

    def _load_steps(self, ids: set[str]) -> None:
        wanted = _valid(ids)
        found: dict[str, set[ServerStep]] = defaultdict(set)
        if wanted:
            for lead_id, stage, at, by in self.session.execute(
                    select(ServerLeadStep.lead_id, ServerLeadStep.stage, ServerLeadStep.at,
                           ServerLeadStep.by).where(ServerLeadStep.lead_id.in_(wanted))):
                found[lead_id].add(ServerStep(stage, at, by))
        self._steps.update({i: frozenset(found.get(i, ())) for i in ids})

    def _load_decisions(self, ids: set[str]) -> None:
        """Decisions of the batch's subjects; a head deciding meanwhile is seen next batch."""
        wanted = _valid(ids)
        self._decisions.update(dict.fromkeys(ids))
        if not wanted:
            return
        for subject_id, outcome, terms_hash, terms, reimbursed in self.session.execute(
                select(HeadDecision.subject_id, HeadDecision.outcome, HeadDecision.terms_hash,
                       HeadDecision.terms, HeadDecision.reimbursed)
                .where(HeadDecision.subject_id.in_(wanted))):
            self._decisions[subject_id] = DecisionFacts(outcome, terms_hash, terms, reimbursed)


def load_territories(session: Session, username: str) -> tuple[str, ...] | None:
    """The user's own territory, then the extra ones; None for no user or no territory."""
    user = session.execute(select(User.id, User.territory_code)
                           .where(User.username == username[:64])).first()
    if user is None or not user.territory_code:
        return None
    extra = session.scalars(select(ExtraTerritory.territory_code)
                            .where(ExtraTerritory.user_id == user.id)
                            .order_by(ExtraTerritory.territory_code))
    return (user.territory_code, *(code for code in extra if code != user.territory_code))


def load_price_lists(session: Session) -> list[PriceListFacts]:
    """Every price list with its prices, as the rules judge offers against them."""
    prices: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for item in session.scalars(select(PriceListItem)):
        prices[item.price_list_id][item.product_id] = item.unit_price
    return [PriceListFacts(
        price_list_id=pl.price_list_id, valid_from=pl.valid_from, valid_to=pl.valid_to,
        active=pl.active, customer_id=pl.customer_id, customer_group=pl.customer_group,
        territory=pl.territory_code, prices=prices[pl.price_list_id])
        for pl in session.scalars(select(PriceList))]


def _valid(ids: set[str]) -> list[str]:
    return sorted(i for i in ids if isinstance(i, str) and 0 < len(i) <= _MAX_ID)
