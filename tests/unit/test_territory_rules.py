"""Territory in the rules and the gateway's routing (pure): whose customers an engineer serves."""

from __future__ import annotations

from typing import Any

from sync.documents.facts import CustomerFacts, DictMasterData
from sync.documents.validate import check_rules
from sync.gateway.routing import Caller, physical_db
from tests.factories import make_lead, make_offer, make_order, make_todo, make_visit, master_data

WHY = "Customer C-2 (Pune) is outside your territory south: ask an admin to allow west"


def facts(*extra: str) -> DictMasterData:
    data = master_data()
    data.customers["C-2"] = CustomerFacts("C-2", True, "27", "west", city="Pune")
    data.areas["asha"] = ("south", *extra)
    return data


def reasons(doc: dict[str, Any], data: DictMasterData) -> list[str]:
    return [p.message for p in check_rules(doc, data).problems]


def test_offers_visits_and_leads_for_another_territory_are_refused_in_words_to_act_on() -> None:
    data = facts()
    offer = make_offer("asha", "C-2", supply="inter")
    for doc in (offer, make_visit("asha", customer_id="C-2"), make_lead("asha", customer_id="C-2")):
        assert WHY in reasons(doc, data), doc["type"]
    assert reasons(make_offer("asha", "C-1"), data) == []
    # To-dos and a lead's prospect name no customer of a territory: nothing to refuse.
    assert reasons(make_todo("asha", customer_id="C-2"), data) == []
    assert reasons(make_lead("asha", customer_id=None), data) == []
    # An order rests on an offer the server accepted: it is not judged again by territory.
    assert not any("territory" in r for r in reasons(make_order(offer, {"_id": "a:1"}), data))


def test_an_allowed_territory_or_an_engineer_the_server_cannot_place_passes() -> None:
    assert reasons(make_offer("asha", "C-2", supply="inter"), facts("west")) == []
    assert reasons(make_offer("ravi", "C-2", supply="inter"), facts()) == []


def test_a_phone_with_extra_territories_reads_its_own_customers_database() -> None:
    own = physical_db(Caller("asha", "engineer", "KA"), "customers", "fs-")
    more = physical_db(Caller("asha", "engineer", "KA", ("MUM",)), "customers", "fs-")
    assert own.name == "fs-customers-ka"
    assert more.name == "fs-customers_for_asha" and not more.writable
    assert more.local_location("cp") == ("fs-eng-asha", "fs-customers_for_asha:cp")
