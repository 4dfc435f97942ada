"""One discount rule: an offer above its engineer's limit waits for the head, whether the
worker judges a customer approval, the API says `needs_decision`, the approvals queue filters in
SQL or the phone decides to wait (phone-data/test/vocabulary.test.js). An engineer with no
limit on record has the default limit (discounts.NO_LIMIT_PCT, 0 %), never an unlimited one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.sales.approvals import awaiting_offers
from server.sales.offers import offer_views
from server.sql.models.accounts import User
from server.sql.models.documents import Offer
from server.sql.session import make_engine, make_session_factory, transaction
from sync.documents import discounts
from sync.documents.validate import check_rules
from sync.store import CouchStore
from tests.factories import make_approval, make_offer, master_data

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# (owner, limit on record or None for an engineer without one, the offer's largest discount)
CASES = [("within", Decimal(10), Decimal(10)), ("above", Decimal(5), Decimal("5.01")),
         ("nolimit", None, Decimal(10)), ("nolimit-zero", None, Decimal(0))]


def _offer(owner: str, max_pct: Decimal) -> Offer:
    return Offer(doc_id=f"offer:{owner}", db_name=f"fs-eng-{owner}", owner=owner, rev="1-a",
                 rev_pos=1, created_at=AT, updated_at=AT, supply="intra",
                 taxable=Decimal(100), discount=Decimal(0), cgst=Decimal(0), sgst=Decimal(0),
                 igst=Decimal(0), gst=Decimal(0), grand_total=Decimal(100), customer_id="C-1",
                 status="presented", valid_until=date(2026, 12, 31), content_hash="sha256:0",
                 business_key="k", terms_hash="t", max_discount_pct=max_pct)


@pytest.fixture
def sessions(sql_url: str) -> Iterator[Session]:
    engine = make_engine(sql_url)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        for owner, limit, max_pct in CASES:
            if limit is not None:
                s.add(User(username=owner, password_hash="x", role="engineer",
                           discount_limit_pct=limit))
            s.add(_offer(owner, max_pct))
    with factory() as s:
        yield s
    engine.dispose()


def _worker_waits(limit: Decimal | None) -> bool:
    """Whether the worker holds a customer approval of asha's default offer (10 %) back."""
    facts = master_data()
    offer = make_offer()
    facts.add_offer(offer, approved=False)
    del facts.limits["asha"]
    if limit is not None:
        facts.limits["asha"] = limit
    return not check_rules(make_approval(offer), facts).ok


def test_every_path_agrees_on_who_waits_for_the_head(sessions: Session,
                                                     store: CouchStore) -> None:
    rows = sessions.scalars(select(Offer).order_by(Offer.doc_id)).all()
    views = {v["doc_id"]: v["needs_decision"] for v in offer_views(sessions, store, rows,
                                                                    lines=False)}
    waiting = set(sessions.scalars(awaiting_offers(select(Offer.doc_id))).all())
    not_waiting = set(sessions.scalars(awaiting_offers(select(Offer.doc_id), False)).all())
    for owner, limit, max_pct in CASES:
        rule = discounts.needs_head_approval(max_pct, limit)
        doc_id = f"offer:{owner}"
        assert rule is (max_pct > (limit if limit is not None else discounts.NO_LIMIT_PCT))
        assert views[doc_id] is rule, f"the API's needs_decision for {owner}"
        assert (doc_id in waiting) is rule, f"the approvals queue for {owner}"
        assert (doc_id in not_waiting) is not rule, f"offers not waiting, for {owner}"
        # The worker judges asha's default offer (10 %) against the same limit.
        assert _worker_waits(limit) is discounts.needs_head_approval(Decimal(10), limit), (
            f"the worker with {owner}'s limit")
