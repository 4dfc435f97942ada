"""SqlMasterData on real SQLite and PostgreSQL: prefetch in a few queries, batch visibility."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from server.bootstrap import Services
from server.sql.models.master import Customer, Product, Territory
from server.sql.session import transaction
from sync.documents.canonical import offer_hash
from sync.master_data import SqlMasterData, references
from sync.sql_projection import Outcome, SqlProjection
from tests.support import projection_samples as samples

DB = "fs-eng-asha"


def seed(services: Services, documents: list[dict[str, Any]]) -> None:
    with transaction(services.sessions) as session:
        session.add(Territory(code="KA-S", name="Karnataka South"))
        session.flush()
        session.add_all([
            Customer(customer_id="C1", name="Sri Lakshmi Mills", state_code="29",
                     territory_code="KA-S", lat=12.3, lon=76.6, gstin="29ABCDE1234F1Z5"),
            Customer(customer_id="C2", name="Old Works", state_code="27",
                     territory_code="KA-S", active=False),
            Product(product_id="P1", name="Valve", hsn_code="8481", gst_rate=Decimal("18")),
            Product(product_id="P2", name="Gauge", hsn_code="9026", gst_rate=Decimal("12"),
                    unit="set"),
        ])
        outcomes = [Outcome(doc=d, status="accepted") for d in documents]
        SqlProjection().apply(session, DB, outcomes)


@contextmanager
def counted(services: Services) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(services.engine, "before_cursor_execute", record)


def test_prefetch_loads_a_batch_in_a_few_queries(services: Services) -> None:
    offer = samples.offer()
    seed(services, [offer, samples.approval(offer, offer_hash(offer)), samples.lead()])
    batch = [samples.order(offer), samples.visit(), samples.todo(),
             samples.lead(rev="2-c"), samples.offer("offer:o9") | {"customer_id": "C2"}]
    with services.sessions() as session, counted(services) as statements:
        facts = SqlMasterData(session, "29")
        facts.prefetch(batch)
        loaded = len(statements)
        customer = facts.customer("C1")
        product = facts.product("P2")
        found = facts.offer("offer:o1")
        assert facts.offer("offer:o9") is None and facts.customer("C2") is not None
        assert facts.lead_stage("lead:l1") == "po" and facts.product("P9") is None
        assert len(statements) - loaded <= 1  # only P9 was not referenced by the batch
    # One query per kind: customers, products, offers, their approvals, leads, the leads'
    # server-written steps, the head decisions on the batch's offers and expenses, and the
    # accepted revisions that supersede the batch's offers.
    assert loaded <= 8
    assert customer is not None and customer.state_code == "29"
    assert (customer.territory, customer.active, customer.lat) == ("KA-S", True, 12.3)
    assert product is not None and product.gst_rate == Decimal("12") and product.unit == "set"
    assert found is not None and found.approved and found.owner == "asha"
    assert found.grand_total == Decimal("1398.00") and found.content_hash == offer_hash(offer)
    assert found.status == "presented" and found.customer_id == "C1"


def test_an_offer_is_approved_only_by_a_signature_over_its_content(services: Services) -> None:
    offer = samples.offer()
    seed(services, [offer, samples.approval(offer, "sha256:" + "0" * 64)])
    with services.sessions() as session:
        facts = SqlMasterData(session, "29")
        found = facts.offer("offer:o1")
        assert found is not None and not found.approved
        assert facts.customer("nobody") is None and facts.lead_stage("lead:zz") is None


def test_documents_accepted_earlier_in_the_batch_are_visible(services: Services) -> None:
    seed(services, [])
    offer = samples.offer("offer:new")
    approval = samples.approval(offer, offer_hash(offer), "approval:new")
    with services.sessions() as session:
        facts = SqlMasterData(session, "29")
        facts.prefetch([offer, approval, samples.order(offer), samples.lead("lead:new")])
        assert facts.offer("offer:new") is None
        facts.remember(offer)
        pending = facts.offer("offer:new")
        assert pending is not None and not pending.approved
        facts.remember(approval)
        approved = facts.offer("offer:new")
        assert approved is not None and approved.approved
        facts.remember(samples.lead("lead:new", stage="proposal"))
        assert facts.lead_stage("lead:new") == "proposal"
        facts.remember({"_id": "offer:new", "_rev": "2-x", "_deleted": True})
        assert facts.offer("offer:new") is None


def test_a_changed_offer_needs_a_new_signature(services: Services) -> None:
    offer = samples.offer()
    seed(services, [offer, samples.approval(offer, offer_hash(offer))])
    changed = samples.offer(rev="2-b")
    changed["valid_until"] = "2027-01-31"
    with services.sessions() as session:
        facts = SqlMasterData(session, "29")
        facts.prefetch([changed])
        facts.remember(changed)
        found = facts.offer("offer:o1")
        assert found is not None and not found.approved


def test_references_tolerate_malformed_documents() -> None:
    refs = references([
        {"type": "offer", "_id": "offer:1", "customer_id": 7, "lines": "none"},
        {"type": "order", "offer_id": "offer:1", "lines": [None, {"product_id": "P1"}]},
        {"type": "visit", "lead_id": "x" * 500, "customer_id": "C1"},
        {"_id": "offer:2", "_deleted": True},
        "not a document",  # type: ignore[list-item]
    ])
    assert refs.offers == {"offer:1"} and refs.products == {"P1"}
    assert refs.customers == {"C1"} and refs.leads == set()
