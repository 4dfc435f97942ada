"""Every conflict policy with two real phones of one engineer, the gateway, the worker and the API.

Both phones start from the same synced document, edit it offline and push; the worker settles
or queues the conflict; each phone pulls its receipt; queued conflicts are resolved by an admin
(never by the engineer or her head) and the resolution reaches both phones.
A phone that edits twice makes the longer branch, which the store picks as the winner, so each
test knows which side a naive "keep the winner" would have kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from server.bootstrap import Services
from sync.documents.stages import FORWARD
from tests.factories import (
    AT,
    STAGE_DETAILS,
    make_expense,
    make_lead,
    make_offer,
    make_todo,
    make_track,
    make_visit,
    priced_lines,
)
from tests.support.phone_pair import ADMIN, ENGINEER, HEAD, PhonePair, phone_pair

Doc = dict[str, Any]
pytestmark = pytest.mark.timeout(120)
CUSTOMER = "C-1001"  # demo master data, Karnataka like the company: intra-state supply
LINES = [("P-100", 1, "185000.00", "0", "18"), ("P-102", 2, "6400.00", "0", "18")]


@pytest.fixture
def pair(services: Services) -> Iterator[PhonePair]:
    with phone_pair(services) as built:
        yield built


def at(minutes: int) -> str:
    return (datetime.fromisoformat(AT) + timedelta(minutes=minutes)).isoformat()


def moved(lead: Doc, *stages: str, start: int) -> dict[str, Any]:
    """The fields a phone changes to move a lead on, one step a minute from `start`."""
    history = [*lead["history"], *({"stage": s, "at": at(start + i), "by": ENGINEER}
                                   for i, s in enumerate(stages))]
    details = {**lead["details"], **{s: dict(STAGE_DETAILS[s]) for s in stages
                                     if s in STAGE_DETAILS}}
    return {"stage": stages[-1], "history": history, "details": details}


def business(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def assert_merged(pair: PhonePair, doc_id: str, expected: Doc, reason: str) -> Doc:
    """One live revision with `expected`, on both phones too, each with a `merged` receipt."""
    stored = pair.stored(doc_id)
    assert "_conflicts" not in stored
    assert [leaf["_rev"] for leaf in pair.leaves(doc_id) if not leaf.get("_deleted")] == \
        [stored["_rev"]]
    assert {k: stored.get(k) for k in expected} == expected
    for device in pair.devices:
        local = device.get(doc_id, conflicts=True)
        assert "_conflicts" not in local, device.name
        assert local["_rev"] == stored["_rev"] and business(local) == business(stored)
        receipt = device.receipt(doc_id)
        assert (receipt["status"], receipt["doc_rev"]) == ("merged", stored["_rev"]), \
            (receipt["reason"], receipt["errors"])
        assert receipt["reason"] == reason
    status = pair.status(doc_id)  # the worker materialised the merged revision into SQL
    assert (status.rev, status.in_conflict) == (stored["_rev"], False)
    return stored


def assert_queued(pair: PhonePair, doc_id: str, fields: list[str], revs: set[str]) -> Doc:
    """Both sides kept in the store, a `conflict` receipt on both phones, one open queue row."""
    leaves = {leaf["_rev"]: leaf for leaf in pair.leaves(doc_id)}
    assert set(leaves) == revs  # nothing was overwritten or merged
    winner = pair.stored(doc_id)["_rev"]
    for device in pair.devices:
        receipt = device.receipt(doc_id)
        assert (receipt["status"], receipt["doc_rev"]) == ("conflict", winner), receipt
        assert "admin" in receipt["reason"]
    assert pair.status(doc_id).in_conflict
    queued = pair.queued(doc_id)
    assert [d["field"] for d in queued["differences"]] == fields
    assert {queued["winner_rev"], *queued["loser_revs"]} == revs
    return queued


def resolve(pair: PhonePair, doc_id: str, body: Doc) -> Doc:
    """Refused for the engineer and her head, done by the admin; then the worker and pulls."""
    conflict_id = pair.queued(doc_id)["id"]
    path = f"/api/v1/conflicts/{conflict_id}/resolve"
    for user in (ENGINEER, HEAD):
        refused = pair.api("POST", path, user, json=body)
        assert refused.status_code == 403, (user, refused.status_code, refused.text)
    assert pair.queued(doc_id)["id"] == conflict_id  # still open, nothing written
    done = pair.api("POST", path, ADMIN, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
    resolution: Doc = done.json()["resolutions"][-1]
    assert resolution["resolved_by"] == ADMIN
    pair.work()
    pair.pull()
    assert resolution["resulting_rev"] == pair.stored(doc_id)["_rev"]
    return resolution


def test_lead_takes_one_sided_fields_and_the_further_stage(pair: PhonePair) -> None:
    lead = make_lead(ENGINEER, customer_id=CUSTOMER)
    pair.share(lead)
    pair.a.edit(lead["_id"], at(60), **moved(lead, "proposal", start=60))
    pair.a.edit(lead["_id"], at(70), title="Two chillers for the cold store")
    further = moved(lead, "proposal", "po", start=65)
    pair.b.edit(lead["_id"], at(66), expected_value="300000.00", **further)
    pair.sync()
    assert_merged(pair, lead["_id"], {
        "title": "Two chillers for the cold store", "expected_value": "300000.00",
        "stage": "po", "history": further["history"], "details": further["details"],
        "device_id": "phone-a", "updated_at": at(70)},
        "merged: took Title from phone-a; Expected value, Details PO, Stage from phone-b")


def test_lead_lost_on_one_phone_and_moved_on_the_other_waits_for_an_admin(
        pair: PhonePair) -> None:
    lead = make_lead(ENGINEER, customer_id=CUSTOMER)
    pair.share(lead)
    lost = {"stage": "lost", "lost_reason": "Chose a cheaper supplier",
            "history": [*lead["history"], {"stage": "lost", "at": at(60), "by": ENGINEER}]}
    pair.a.edit(lead["_id"], at(60), **lost)
    rev_a = pair.a.edit(lead["_id"], at(61), lost_reason="Chose a cheaper local supplier")
    forward = moved(lead, "proposal", start=62)
    rev_b = pair.b.edit(lead["_id"], at(62), **forward)
    pair.sync()
    queued = assert_queued(pair, lead["_id"], ["stage"], {rev_a, rev_b})
    assert queued["winner_rev"] == rev_a
    assert (queued["differences"][0]["ours"], queued["differences"][0]["theirs"]) == \
        ("lost", "proposal")
    resolution = resolve(pair, lead["_id"], {"method": "pick", "picks": {"stage": rev_b}})
    assert resolution["summary"] == "picked Stage from phone-b"
    stored = assert_merged(pair, lead["_id"], {
        "stage": "proposal", "history": forward["history"], "details": forward["details"],
        "lost_reason": None}, "merged: picked Stage from phone-b")
    assert stored["history"][-1]["stage"] == FORWARD[1]


def test_visit_merges_fields_and_queues_a_field_changed_differently(pair: PhonePair) -> None:
    merged, clashed = make_visit(ENGINEER, customer_id=CUSTOMER), \
        make_visit(ENGINEER, customer_id=CUSTOMER)
    for visit in (merged, clashed):
        pair.share(visit)
    pair.a.edit(merged["_id"], at(60), outcome="Ordered two units")
    pair.a.edit(merged["_id"], at(61), next_action_date="2026-12-03")
    pair.b.edit(merged["_id"], at(62), next_action="Send the purchase order form")
    rev_a = pair.a.edit(clashed["_id"], at(60), outcome="Ordered two units")
    rev_b = pair.b.edit(clashed["_id"], at(61), outcome="Wants a demo first")
    pair.sync()
    assert_merged(pair, merged["_id"], {
        "outcome": "Ordered two units", "next_action_date": "2026-12-03",
        "next_action": "Send the purchase order form", "purpose": merged["purpose"]},
        "merged: took Outcome, Next action date from phone-a; Next action from phone-b")
    assert_queued(pair, clashed["_id"], ["outcome"], {rev_a, rev_b})
    edited = {**business(pair.stored(clashed["_id"])),
              "outcome": "Ordered two units after a demo"}
    resolution = resolve(pair, clashed["_id"], {"method": "edit", "fields": edited})
    assert resolution["method"] == "edit"
    assert_merged(pair, clashed["_id"], {"outcome": "Ordered two units after a demo",
                                         "next_action": clashed["next_action"]},
                  "merged: edited by an admin")


def test_todo_changed_on_both_phones_takes_the_later_edit(pair: PhonePair) -> None:
    todo = make_todo(ENGINEER, customer_id=CUSTOMER)
    pair.share(todo)
    pair.a.edit(todo["_id"], at(60), title="Call about the quote at 10")
    pair.a.edit(todo["_id"], at(61), done=True)
    pair.b.edit(todo["_id"], at(90), title="Call about the quote at 11")  # later, but loses
    pair.sync()
    assert_merged(pair, todo["_id"], {
        "title": "Call about the quote at 11", "done": True, "due_date": todo["due_date"],
        "device_id": "phone-b", "updated_at": at(90)},
        "merged: took Title from phone-b; Done from phone-a")


def test_offer_with_different_price_or_quantity_is_never_merged(pair: PhonePair) -> None:
    offer = make_offer(ENGINEER, CUSTOMER, LINES)
    pair.share(offer)
    cheaper_lines, cheaper_totals = priced_lines([("P-100", 1, "175000.00", "0", "18"),
                                                  LINES[1]], "intra")
    rev_a = pair.a.edit(offer["_id"], at(60), lines=cheaper_lines, totals=cheaper_totals)
    more_lines, more_totals = priced_lines([LINES[0], ("P-102", 3, "6400.00", "0", "18")],
                                           "intra")
    pair.b.edit(offer["_id"], at(61), lines=more_lines, totals=more_totals)
    pair.b.edit(offer["_id"], at(62), notes="Customer asked for three kits")
    # Two revisions ahead: the version the admin keeps sorts below the one SQL holds.
    rev_b = pair.b.edit(offer["_id"], at(63), status="presented")
    pair.sync()
    queued = assert_queued(pair, offer["_id"], [
        "lines[1].unit_price", "lines[1].taxable", "lines[1].cgst", "lines[1].sgst",
        "lines[1].total", "lines[2].quantity", "lines[2].taxable", "lines[2].cgst",
        "lines[2].sgst", "lines[2].total", "totals.taxable", "totals.cgst", "totals.sgst",
        "totals.gst", "totals.grand_total"], {rev_a, rev_b})
    assert queued["winner_rev"] == rev_b
    assert pair.a.get(offer["_id"], rev=rev_a)["lines"] == cheaper_lines  # both sides kept
    assert pair.stored(offer["_id"])["lines"] == more_lines
    resolve(pair, offer["_id"], {"method": "keep", "rev": rev_a})
    assert_merged(pair, offer["_id"], {"lines": cheaper_lines, "totals": cheaper_totals,
                                       "notes": None, "status": "draft", "device_id": "phone-a"},
                  "merged: kept the version from phone-a")


def test_offer_with_the_same_content_and_different_metadata_is_merged(
        pair: PhonePair) -> None:
    offer = make_offer(ENGINEER, CUSTOMER, LINES)
    pair.share(offer)
    pair.a.edit(offer["_id"], at(60), status="presented")
    pair.b.edit(offer["_id"], at(75), status="presented")
    pair.sync()
    assert_merged(pair, offer["_id"], {
        "status": "presented", "lines": offer["lines"], "totals": offer["totals"],
        "device_id": "phone-b", "updated_at": at(75)},
        "merged: both devices had the same content")


def test_expense_with_a_different_amount_waits_for_an_admin(pair: PhonePair) -> None:
    expense = make_expense(ENGINEER, amount="350.00", km=12.5)
    pair.share(expense)
    rev_a = pair.a.edit(expense["_id"], at(60), amount="420.00")
    pair.b.edit(expense["_id"], at(61), km=14.0)
    rev_b = pair.b.edit(expense["_id"], at(62), purpose="Customer visit and demo")
    pair.sync()
    queued = assert_queued(pair, expense["_id"], ["amount"], {rev_a, rev_b})
    assert queued["winner_rev"] == rev_b
    assert (queued["differences"][0]["ours"], queued["differences"][0]["theirs"]) == \
        ("350.00", "420.00")
    resolve(pair, expense["_id"], {"method": "pick", "picks": {"amount": rev_a}})
    assert_merged(pair, expense["_id"], {
        "amount": "420.00", "km": 14.0, "purpose": "Customer visit and demo"},
        "merged: picked Amount from phone-a")


def test_track_keeps_the_points_of_both_phones(pair: PhonePair) -> None:
    track = make_track([(12.9700, 77.5900), (12.9710, 77.5910)])
    pair.share(track)
    extra = [{**track["points"][0], "lat": 12.9720 + i / 1000, "at": at(2 + i)}
             for i in range(4)]
    pair.a.edit(track["_id"], at(60), points=[*track["points"], extra[1], extra[3]])
    pair.b.edit(track["_id"], at(61), points=[*track["points"], extra[0]])
    pair.b.edit(track["_id"], at(62), points=[*track["points"], extra[0], extra[2]])
    pair.sync()
    expected = [*track["points"], *extra]  # the union in time order, not either side's list
    assert_merged(pair, track["_id"], {"points": expected},
                  "merged: took Points from phone-a")


def test_deleted_on_one_phone_and_edited_on_the_other_loses_nothing(pair: PhonePair) -> None:
    visit = make_visit(ENGINEER, customer_id=CUSTOMER)
    pair.share(visit)
    deleted = pair.a.delete(visit["_id"])
    edited = pair.b.edit(visit["_id"], at(60), outcome="Ordered two units")
    pair.sync()
    queued = assert_queued(pair, visit["_id"], ["_deleted"], {deleted, edited})
    assert queued["winner_rev"] == edited
    for device in pair.devices:  # the edit is what both phones show while it waits
        assert device.get(visit["_id"])["outcome"] == "Ordered two units"
    resolve(pair, visit["_id"], {"method": "keep", "rev": edited})
    assert_merged(pair, visit["_id"], {"outcome": "Ordered two units",
                                       "purpose": visit["purpose"], "device_id": "phone-b"},
                  "merged: kept the version from phone-b")
