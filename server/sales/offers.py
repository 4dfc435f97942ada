"""Offers as the API and the PDF show them: decisions, revisions and the customer's approval
with a verification recomputed from the stored offer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.config import Settings
from server.sales.pdf import OfferSheet, SheetLine
from server.sql.models.accounts import User
from server.sql.models.documents import CustomerApproval, Offer, OfferLine
from server.sql.models.master import Customer, Product
from server.sql.models.sales import HeadDecision
from sync.documents import discounts
from sync.documents.canonical import offer_hash
from sync.documents.errors import DocumentError
from sync.store import DocumentStore, StoreError

INTACT, CHANGED = "intact", "changed"


@dataclass(frozen=True)
class ApprovalView:
    """The customer's approval of an offer and whether the offer still matches it."""

    approval_id: str
    signed_by: str
    signed_at: Any
    loc: dict[str, Any] | None
    signature: str
    signature_url: str | None
    offer_hash: str  # what the customer signed
    recomputed_hash: str | None  # the stored offer's hash now (None: the store was away)
    verification: str  # intact | changed


def loc_of(row: Any) -> dict[str, Any] | None:
    """A row's location columns as the API's `loc` object."""
    if row.loc_lat is None:
        return None
    return {"lat": row.loc_lat, "lon": row.loc_lon, "accuracy_m": row.loc_accuracy_m,
            "at": row.loc_at, "mock": row.loc_mock}


def offer_views(s: Session, store: DocumentStore, rows: Sequence[Offer], *,
                lines: bool) -> list[dict[str, Any]]:
    """Each offer with its head decision, revision chain and customer approval."""
    superseded = dict(s.execute(select(Offer.supersedes, Offer.doc_id)
                  .where(Offer.supersedes.in_([r.doc_id for r in rows]))).all())
    approvals = approval_views(s, store, rows)
    decided = {d.subject_id: d for d in s.scalars(
        select(HeadDecision).where(HeadDecision.subject_id.in_([r.doc_id for r in rows])))}
    limits = dict(s.execute(select(User.username, User.discount_limit_pct).where(
        User.username.in_({r.owner for r in rows}))).all())
    out = []
    for row in rows:
        view = _decision_view(row, decided.get(row.doc_id), limits.get(row.owner))
        view.update(loc=loc_of(row), superseded_by=superseded.get(row.doc_id),
                    superseded=row.doc_id in superseded,
                    display_status="superseded" if row.doc_id in superseded else row.status,
                    approval=approvals.get(row.doc_id))
        if lines:
            view["lines"] = offer_lines(s, row.doc_id)
        out.append(view)
    return out


def _decision_view(row: Offer, decision: HeadDecision | None,
                   limit: Decimal | None) -> dict[str, Any]:
    out = {c.key: getattr(row, c.key) for c in Offer.__table__.columns}
    outcome = None if decision is None else discounts.binding(
        decision.outcome, decision.terms_hash, row.terms_hash)
    out.update(decision=decision, decision_binds=decision is not None and outcome is not None,
               needs_decision=outcome is None
               and discounts.needs_head_approval(row.max_discount_pct, limit))
    return out


def offer_lines(s: Session, offer_id: str) -> Sequence[OfferLine]:
    return s.scalars(select(OfferLine).where(OfferLine.offer_id == offer_id)
                     .order_by(OfferLine.line_no)).all()


def approval_views(s: Session, store: DocumentStore,
                   rows: Sequence[Offer]) -> dict[str, ApprovalView]:
    """The latest accepted approval of each offer, verified against the stored offer: the hash
    is recomputed from the offer document in the store and compared with what was signed (and
    with the hash SQL recorded), so a change made past the API or the worker shows."""
    offers = {r.doc_id: r for r in rows}
    latest: dict[str, CustomerApproval] = {}
    for approval in s.scalars(select(CustomerApproval).where(
            CustomerApproval.offer_id.in_(offers)).order_by(CustomerApproval.signed_at)):
        latest[approval.offer_id] = approval
    stored = stored_hashes(store, [offers[i] for i in latest])
    views = {}
    for offer_id, a in latest.items():
        now = stored.get(offer_id)
        same = a.offer_hash == offers[offer_id].content_hash and now in (None, a.offer_hash)
        views[offer_id] = ApprovalView(
            a.doc_id, a.signed_by, a.signed_at, loc_of(a), a.signature,
            f"/api/v1/attachments/{a.doc_id}/{a.signature}" if a.signature else None,
            a.offer_hash, now, INTACT if same else CHANGED)
    return views


def stored_hashes(store: DocumentStore, rows: Sequence[Offer]) -> dict[str, str | None]:
    """The content hash of each offer as the document store holds it now; one read per
    engineer database. An offer the store cannot give is left out (None: not verified)."""
    by_db: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_db[row.db_name].append(row.doc_id)
    hashes: dict[str, str | None] = {}
    for db_name, ids in by_db.items():
        try:
            found = store.all_docs(db_name, ids, include_docs=True)
        except StoreError:
            continue
        for entry in found:
            doc = entry.get("doc")
            if isinstance(doc, dict):
                hashes[str(entry.get("key"))] = _hash_or_damaged(doc)
            elif entry.get("value", {}).get("deleted"):
                hashes[str(entry.get("key"))] = "deleted"
    return hashes


def _hash_or_damaged(doc: dict[str, Any]) -> str:
    try:
        return offer_hash(doc)
    except DocumentError:
        return "unreadable"


def offer_sheet(s: Session, row: Offer, settings: Settings) -> OfferSheet:
    """What the offer PDF prints, from the offer the server accepted."""
    customer = s.get(Customer, row.customer_id)
    lines = offer_lines(s, row.doc_id)
    products = {p.product_id: p for p in s.scalars(select(Product).where(
        Product.product_id.in_([line.product_id for line in lines])))}

    def sheet_line(line: OfferLine) -> SheetLine:
        product = products.get(line.product_id)
        return SheetLine(line.product_id, product.name if product else line.product_id,
                         product.hsn_code if product else "", product.unit if product else "nos",
                         line.quantity, line.unit_price, line.discount_pct, line.gst_rate)

    return OfferSheet(
        offer_id=row.doc_id, engineer=row.owner,
        customer_name=customer.name if customer else row.customer_id,
        customer_address=customer.address if customer else "",
        customer_gstin=customer.gstin if customer else None,
        customer_state=customer.state_code if customer else "", supply=row.supply,
        valid_until=row.valid_until, created=row.created_at.date(),
        lines=tuple(sheet_line(line) for line in lines), grand_total=row.grand_total,
        revision=row.revision, quotation_id=row.quotation_id or row.doc_id,
        seller_name=settings.seller_name, seller_gstin=settings.seller_gstin,
        offer_hash=row.content_hash)
