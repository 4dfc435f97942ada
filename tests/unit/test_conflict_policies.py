"""Per-type conflict policies on plain documents."""

from __future__ import annotations

from typing import Any

from conflict.merge import three_way
from conflict.policies import (
    merge_commercial,
    merge_expense,
    merge_fields,
    merge_lead,
    merge_strict,
    merge_todo,
    merge_track,
)
from conflict.values import MISSING

Doc = dict[str, Any]


def meta(device: str, at: str) -> Doc:
    return {"device_id": device, "updated_at": at, "loc": {"lat": 12.9, "lon": 77.6}}


def lead(stage: str, **extra: Any) -> Doc:
    order = ["potential", "proposal", "po", "advance", "order_acceptance", "installation"]
    reached = order[: order.index(stage) + 1] if stage in order else ["potential", stage]
    history = [{"stage": s, "at": f"2026-11-0{i + 1}T10:00:00+05:30", "by": "asha"}
               for i, s in enumerate(reached)]
    return {"type": "lead", "owner": "asha", "title": "Pump for Sri Ram Mills", "stage": stage,
            "history": history, **extra}


def fields(result: Any) -> list[str]:
    return [d.field for d in result.differences]


def test_fields_changed_on_one_side_are_taken_from_each_side() -> None:
    base = {"type": "visit", "purpose": "demo", "outcome": "", "next_action": ""}
    ours = {**base, "outcome": "liked it", **meta("phone", "2026-11-02T10:00:00+05:30")}
    theirs = {**base, "next_action": "send offer", **meta("tab", "2026-11-02T11:00:00+05:30")}
    result = merge_fields(base, ours, theirs)
    assert result.settled
    assert result.merged["outcome"] == "liked it"
    assert result.merged["next_action"] == "send offer"
    assert sorted(result.taken) == [(("next_action",), "theirs"), (("outcome",), "ours")]


def test_same_field_changed_differently_goes_to_the_queue() -> None:
    base = {"type": "visit", "outcome": ""}
    result = merge_fields(base, {**base, "outcome": "ordered"}, {**base, "outcome": "lost"})
    assert fields(result) == ["outcome"]
    assert result.differences[0].ours == "ordered"
    assert result.differences[0].theirs == "lost"


def test_nested_fields_merge_key_by_key() -> None:
    base = {"check_in": {"at": "t1"}}
    ours = {"check_in": {"at": "t1"}, "check_out": {"at": "t2"}}
    theirs = {"check_in": {"at": "t1", "note": "gate closed"}}
    result = merge_fields(base, ours, theirs)
    assert result.settled
    assert result.merged == {"check_in": {"at": "t1", "note": "gate closed"},
                             "check_out": {"at": "t2"}}


def test_without_ancestor_equal_fields_are_kept_and_different_ones_queued() -> None:
    ours = {"type": "visit", "purpose": "demo", "outcome": "ordered"}
    theirs = {"type": "visit", "purpose": "demo", "outcome": "later"}
    result = merge_fields(None, ours, theirs)
    assert fields(result) == ["outcome"]
    assert result.merged["purpose"] == "demo"


def test_metadata_never_makes_a_difference() -> None:
    ours = {"type": "visit", "purpose": "demo", **meta("phone", "2026-11-02T10:00:00+05:30")}
    theirs = {"type": "visit", "purpose": "demo", **meta("tab", "2026-11-03T10:00:00+05:30")}
    assert merge_fields(None, ours, theirs).settled


def test_todo_clash_goes_to_the_later_edit() -> None:
    base = {"type": "todo", "title": "Call back", "done": False}
    ours = {**base, "title": "Call back Monday", **meta("phone", "2026-11-02T10:00:00+05:30")}
    # 09:00 UTC is later than 10:00 IST: the offset matters, not the wall-clock digits.
    theirs = {**base, "title": "Call back Tuesday", "done": True,
              **meta("tab", "2026-11-02T09:00:00+00:00")}
    result = merge_todo(base, ours, theirs)
    assert result.settled
    assert result.merged["title"] == "Call back Tuesday"
    assert result.merged["done"] is True


def test_todo_without_ancestor_is_last_writer_wins() -> None:
    ours = {"type": "todo", "title": "A", **meta("phone", "2026-11-02T12:00:00+05:30")}
    theirs = {"type": "todo", "title": "B", **meta("tab", "2026-11-02T11:00:00+05:30")}
    result = merge_todo(None, ours, theirs)
    assert result.settled
    assert result.merged["title"] == "A"


def test_lead_further_stage_wins_when_both_moved_forward() -> None:
    base = lead("proposal")
    ours = lead("po", details={"po": {"number": "PO-7"}})
    theirs = lead("advance", title="Pump, 2 units")
    result = merge_lead(base, ours, theirs)
    assert result.settled
    assert result.merged["stage"] == "advance"
    assert result.merged["history"] == theirs["history"]
    assert result.merged["title"] == "Pump, 2 units"
    assert result.merged["details"] == {"po": {"number": "PO-7"}}
    assert (("stage",), "theirs") in result.taken


def test_lead_lost_on_one_side_and_forward_on_the_other_is_queued() -> None:
    base = lead("proposal")
    ours = lead("po")
    theirs = lead("lost", lost_reason="went with a competitor")
    result = merge_lead(base, ours, theirs)
    assert fields(result) == ["stage"]
    assert result.differences[0].ours == "po"
    assert result.differences[0].theirs == "lost"


def test_lead_stage_changed_on_one_side_only_is_taken_even_when_lost() -> None:
    base = lead("proposal")
    theirs = lead("lost", lost_reason="budget cut")
    result = merge_lead(base, {**base, "title": "New title"}, theirs)
    assert result.settled
    assert result.merged["stage"] == "lost"
    assert result.merged["lost_reason"] == "budget cut"
    assert result.merged["title"] == "New title"


def test_lead_same_detail_changed_differently_is_queued() -> None:
    base = lead("po", details={"po": {"number": "PO-1"}})
    result = merge_lead(base, lead("po", details={"po": {"number": "PO-2"}}),
                        lead("po", details={"po": {"number": "PO-3"}}))
    assert fields(result) == ["details.po.number"]
    assert result.differences[0].label == "Details PO number"


def test_lead_without_ancestor_still_takes_the_further_stage() -> None:
    result = merge_lead(None, lead("advance"), lead("po"))
    assert result.settled
    assert result.merged["stage"] == "advance"


def offer(**changes: Any) -> Doc:
    line = {"product_id": "P-100", "quantity": 2, "unit_price": "10000.00",
            "discount_pct": "0", "gst_rate": "18"}
    doc = {"type": "offer", "owner": "asha", "customer_id": "C-1", "status": "draft",
           "supply": "intra", "lines": [dict(line), {**line, "product_id": "P-200"},
                                        {**line, "product_id": "P-300"}],
           "totals": {"grand_total": "70800.00"}}
    doc.update(changes)
    return doc


def test_offer_price_difference_is_never_merged_and_shown_per_line() -> None:
    base = offer()
    theirs = offer()
    theirs["lines"][2]["unit_price"] = "9500.00"
    theirs["totals"] = {"grand_total": "70210.00"}
    result = merge_commercial(base, offer(notes="call first"), theirs)
    assert fields(result) == ["lines[3].unit_price", "totals.grand_total"]
    diff = result.differences[0]
    assert (diff.label, diff.ours, diff.theirs) == ("Line 3 unit price", "10000.00", "9500.00")
    assert result.merged["notes"] == "call first"


def test_offer_changed_on_one_side_only_is_still_not_merged() -> None:
    theirs = offer(customer_id="C-2")
    result = merge_commercial(offer(), offer(), theirs)
    assert fields(result) == ["customer_id"]
    assert result.differences[0].label == "Customer"


def test_offer_added_line_is_one_difference() -> None:
    theirs = offer()
    theirs["lines"].append({"product_id": "P-400", "quantity": 1, "unit_price": "50.00"})
    result = merge_commercial(None, offer(), theirs)
    assert fields(result) == ["lines[4]"]
    assert result.differences[0].ours is MISSING


def test_offer_with_identical_business_content_merges() -> None:
    ours = {**offer(), **meta("phone", "2026-11-02T10:00:00+05:30"), "_rev": "3-a"}
    theirs = {**offer(), **meta("tab", "2026-11-02T12:00:00+05:30"), "_rev": "3-b",
              "_revisions": {"start": 3, "ids": ["b"]}, "schema_version": 2}
    assert merge_commercial(offer(), ours, theirs).settled


def test_order_status_notes_merge_but_quantity_does_not() -> None:
    base = offer(type="order")
    theirs = offer(type="order", po_number="4500012")
    assert merge_commercial(base, offer(type="order"), theirs).settled
    qty = offer(type="order")
    qty["lines"][0]["quantity"] = 3
    assert fields(merge_commercial(base, base, qty)) == ["lines[1].quantity"]


def expense(**changes: Any) -> Doc:
    return {"type": "expense", "date": "2026-11-02", "mode": "bike", "amount": "240.00",
            "km": 30, "purpose": "visit", **changes}


def test_expense_amount_changed_on_one_side_goes_to_the_queue() -> None:
    result = merge_expense(expense(), expense(), expense(amount="260.00"))
    assert fields(result) == ["amount"]


def test_expense_identical_in_amount_date_and_mode_merges_the_rest() -> None:
    result = merge_expense(expense(), expense(purpose="demo at mill"), expense(km=32))
    assert result.settled
    assert (result.merged["purpose"], result.merged["km"]) == ("demo at mill", 32)


def test_track_is_the_union_of_points_in_time_order() -> None:
    p1 = {"lat": 12.0, "lon": 77.0, "at": "2026-11-02T10:00:00+05:30"}
    p2 = {"lat": 12.1, "lon": 77.1, "at": "2026-11-02T10:05:00+05:30"}
    p3 = {"lat": 12.2, "lon": 77.2, "at": "2026-11-02T10:10:00+05:30"}
    result = merge_track(None, {"type": "track", "points": [p1, p3]},
                         {"type": "track", "points": [p1, p2]})
    assert result.settled
    assert result.merged["points"] == [p1, p2, p3]


def test_strict_policy_ignores_the_ancestor() -> None:
    base = {"type": "approval", "signed_by": "R. Kumar"}
    result = merge_strict(base, base, {**base, "signed_by": "R. Kumaran"})
    assert fields(result) == ["signed_by"]


def test_three_way_skips_only_top_level_keys() -> None:
    result = three_way({"a": {"loc": 1}}, {"a": {"loc": 2}}, {"a": {"loc": 3}}, skip={"loc"})
    assert fields(result) == ["a.loc"]


def _with_head_step(doc: Doc, stage: str, at: str) -> Doc:
    return {**doc, "stage": stage,
            "history": [*doc["history"], {"stage": stage, "at": at, "by": "hema"}]}


def test_a_step_the_server_wrote_is_never_erased_by_a_device_clock() -> None:
    base = lead("proposal")
    head = _with_head_step(base, "po", "2026-11-05T10:00:00+05:30")
    # The phone got there too, by a clock that says earlier: once it won as "first there".
    phone = lead("po", updated_at="2026-12-31T10:00:00+05:30")
    phone["history"][-1]["at"] = "2026-11-04T10:00:00+05:30"
    for ours, theirs in ((head, phone), (phone, head)):
        result = merge_lead(base, ours, theirs)
        assert not result.settled and fields(result)[0] == "stage"


def test_the_side_with_the_servers_step_wins_over_an_edit_without_a_move() -> None:
    base = lead("proposal")
    head = _with_head_step(base, "potential", "2026-11-05T10:00:00+05:30")
    phone = {**base, "title": "Pump, 2 units", "updated_at": "2026-12-31T10:00:00+05:30"}
    for ours, theirs in ((head, phone), (phone, head)):
        result = merge_lead(base, ours, theirs)
        assert result.settled
        assert result.merged["stage"] == "potential"
        assert result.merged["history"] == head["history"]
        assert result.merged["title"] == "Pump, 2 units"
