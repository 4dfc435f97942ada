"""Evaluating conflicted documents and planning admin resolutions, on plain revision trees."""

from __future__ import annotations

from typing import Any

import pytest

from conflict.ancestry import common_ancestor, open_leaves, rev_history, winner_of
from conflict.choices import EditDocument, KeepSide, PickFields, plan
from conflict.engine import ConflictSet, describe_taken, difference_view, evaluate
from conflict.errors import InvalidResolutionError
from conflict.values import MISSING, field_name, label, parse_field, render, set_paths

Doc = dict[str, Any]


def rev(doc: Doc, rev_id: str, parents: list[str]) -> Doc:
    gen = len(parents) + 1
    return {**doc, "_id": "visit:v1", "_rev": f"{gen}-{rev_id}",
            "_revisions": {"start": gen, "ids": [rev_id, *parents]}}


BASE = {"type": "visit", "owner": "asha", "purpose": "demo", "outcome": "", "next_action": ""}


def two_phones(ours: Doc, theirs: Doc, *, ancestor: bool = True) -> ConflictSet:
    winner = rev({**ours, "device_id": "phone-a", "updated_at": "2026-11-02T10:00:00+05:30"},
                 "bbb", ["base"])
    loser = rev({**theirs, "device_id": "tab-b", "updated_at": "2026-11-02T11:00:00+05:30"},
                "aaa", ["base"])
    base = rev(BASE, "base", []) if ancestor else None
    return ConflictSet("fs-eng-asha", "visit:v1", winner, [loser], {loser["_rev"]: base})


def test_rev_history_and_common_ancestor() -> None:
    a = rev({}, "x", ["p2", "p1"])
    b = rev({}, "y", ["p2", "p1"])
    assert rev_history(a) == ["3-x", "2-p2", "1-p1"]
    assert common_ancestor(a, b) == "2-p2"
    assert common_ancestor(a, rev({}, "z", ["q"])) is None


def test_winner_prefers_live_then_longer_then_higher_rev() -> None:
    live = {"_rev": "2-aaa"}
    assert winner_of([live, {"_rev": "3-zzz", "_deleted": True}]) is live
    assert winner_of([live, {"_rev": "2-bbb"}])["_rev"] == "2-bbb"
    assert winner_of([live, {"_rev": "10-a"}])["_rev"] == "10-a"


def test_resolution_tombstones_are_not_conflicts() -> None:
    tomb = {"_rev": "3-t", "_deleted": True, "conflict_resolution": {"by": "fieldsync"}}
    assert open_leaves([{"_rev": "3-m"}, tomb]) is None
    device_delete = {"_rev": "2-d", "_deleted": True}
    found = open_leaves([{"_rev": "2-m"}, device_delete])
    assert found is not None and found[1] == [device_delete]


def test_settled_conflict_merges_and_describes_what_came_from_where() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered"}, {**BASE, "next_action": "deliver"})
    evaluation = evaluate(conflict)
    assert evaluation.settled
    assert evaluation.merged["outcome"] == "ordered"
    assert evaluation.merged["next_action"] == "deliver"
    assert evaluation.merged["device_id"] == "tab-b"  # edited last
    assert "_rev" not in evaluation.merged
    assert describe_taken(evaluation) == "merged: took Outcome from phone-a; Next action from tab-b"


def test_deleted_versus_edited_is_never_settled() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered"}, BASE)
    deleted = {"_id": "visit:v1", "_rev": "2-ddd", "_deleted": True}
    evaluation = evaluate(ConflictSet("db", "visit:v1", conflict.winner, [deleted]))
    assert evaluation.fields() == ["_deleted"]
    view = difference_view(evaluation.conflict, evaluation.found[0])
    assert (view["label"], view["ours"], view["theirs"]) == ("Document", "kept and edited",
                                                              "deleted")


def test_difference_view_shows_who_changed_each_side() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered"}, {**BASE, "outcome": "lost"})
    evaluation = evaluate(conflict)
    view = difference_view(conflict, evaluation.found[0])
    assert view["field"] == "outcome" and view["ancestor"] == "" and view["ancestor_known"]
    assert view["ours_edit"]["device"] == "phone-a"
    assert view["theirs_edit"]["device"] == "tab-b"
    assert view["theirs_edit"]["changed_at"] == "2026-11-02T11:00:00+05:30"


def test_keep_side_writes_on_the_kept_leaf() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered"}, {**BASE, "outcome": "lost"})
    chosen = plan(evaluate(conflict), KeepSide("2-aaa"))
    assert chosen.base_rev == "2-aaa"
    assert chosen.body["outcome"] == "lost"
    with pytest.raises(InvalidResolutionError):
        plan(evaluate(conflict), KeepSide("9-nope"))


def test_pick_fields_takes_each_field_from_the_chosen_side() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered", "purpose": "a"},
                          {**BASE, "outcome": "lost", "purpose": "b"})
    evaluation = evaluate(conflict)
    chosen = plan(evaluation, PickFields({"outcome": "2-aaa", "purpose": "ours"}))
    assert chosen.base_rev == "2-bbb"
    assert (chosen.body["outcome"], chosen.body["purpose"]) == ("lost", "a")
    assert chosen.summary == "picked Outcome from tab-b"


def test_pick_fields_must_cover_every_difference() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered", "purpose": "a"},
                          {**BASE, "outcome": "lost", "purpose": "b"})
    with pytest.raises(InvalidResolutionError) as caught:
        plan(evaluate(conflict), PickFields({"outcome": "ours", "colour": "ours"}))
    assert {e["field"] for e in caught.value.errors} == {"purpose", "colour"}


def test_edit_keeps_identity_and_refuses_a_type_change() -> None:
    conflict = two_phones({**BASE, "outcome": "ordered"}, {**BASE, "outcome": "lost"})
    chosen = plan(evaluate(conflict), EditDocument({**BASE, "outcome": "ordered 2 pumps"}))
    assert chosen.body["outcome"] == "ordered 2 pumps" and chosen.body["type"] == "visit"
    with pytest.raises(InvalidResolutionError):
        plan(evaluate(conflict), EditDocument({"type": "todo"}))


def test_field_names_labels_and_rendering() -> None:
    path = ("lines", 2, "unit_price")
    assert field_name(path) == "lines[3].unit_price"
    assert parse_field("lines[3].unit_price") == path
    assert label(path) == "Line 3 unit price"
    assert render(True) == "yes" and render("10000.00") == "10000.00"
    with pytest.raises(ValueError):
        parse_field("lines[0].x")


def test_set_paths_removes_list_items_without_shifting_the_others() -> None:
    doc = {"lines": [{"p": 1}, {"p": 2}, {"p": 3}], "notes": "x"}
    out = set_paths(doc, [(("lines", 1), MISSING), (("lines", 2, "p"), 9), (("notes",), MISSING)])
    assert out == {"lines": [{"p": 1}, {"p": 9}]}
    assert doc["lines"][1] == {"p": 2}  # the input is not changed
