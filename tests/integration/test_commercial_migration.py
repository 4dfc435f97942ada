"""The migration to bound decisions: existing decisions bind the terms their subject has."""

from __future__ import annotations

from sqlalchemy import MetaData, Table, select

from server.sql.migrate import upgrade
from server.sql.session import make_engine
from sync.documents.canonical import expense_terms, terms_hash
from sync.documents.facts import server_step
from sync.projection import project
from tests.factories import make_expense, make_lead, make_offer


def test_existing_decisions_bind_the_terms_their_subject_has(empty_sql_url: str) -> None:
    engine = make_engine(empty_sql_url)
    offer, expense = make_offer(_rev="1-a"), make_expense(amount="500.00", _rev="1-b")
    lead = make_lead(stage="proposal", _rev="2-c")
    back = {"stage": "potential", "at": "2026-12-05T16:45:30+05:30", "by": "hema"}
    lead["history"].append(back)
    lead["stage"] = "potential"
    try:
        upgrade(engine, "0007_gateway_refusals")  # the revision before 0008_commercial_terms
        meta = MetaData()
        tables = {name: Table(name, meta, autoload_with=engine)
                  for name in ("offers", "expenses", "head_decisions", "leads",
                               "lead_stage_history")}
        with engine.begin() as conn:
            rows = project(lead, "db-asha").tables
            conn.execute(tables["leads"].insert(), rows["leads"])
            conn.execute(tables["lead_stage_history"].insert(), rows["lead_stage_history"])
            for doc, name in ((offer, "offers"), (expense, "expenses")):
                row = project(doc, "db-asha").tables[name][0]
                row.pop("terms_hash")  # the column comes with the migration
                conn.execute(tables[name].insert(), [row])
                conn.execute(tables["head_decisions"].insert(), [{
                    "subject_id": doc["_id"], "kind": "discount" if name == "offers" else
                    "expense", "owner": "asha", "outcome": "approved", "decided_by": "hema",
                    "decided_at": row["created_at"], "note": "", "reimbursed": False}])
        upgrade(engine)
        after = MetaData()
        decisions, steps_table = (Table(name, after, autoload_with=engine)
                                  for name in ("head_decisions", "server_lead_steps"))
        with engine.connect() as conn:
            got = dict(conn.execute(select(decisions.c["subject_id", "terms_hash"])).all())
            steps = conn.execute(select(steps_table)).all()
        assert [(r.lead_id, r.at, r.stage, r.by) for r in steps] == [
            (lead["_id"], server_step("potential", back["at"], "hema").at, "potential", "hema")]
        assert got[offer["_id"]] == terms_hash(offer)
        assert got[expense["_id"]] == expense_terms("500.00", expense["km"], expense["mode"])
    finally:
        engine.dispose()
