"""Whatever a phone sends, judging it gives a verdict, never an exception."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.documents.validate import Verdict, validate
from tests.factories import (
    make_approval,
    make_expense,
    make_lead,
    make_offer,
    make_order,
    make_todo,
    make_track,
    make_visit,
    master_data,
)

OFFER = make_offer()
APPROVAL = make_approval(OFFER)
SAMPLES = [OFFER, APPROVAL, make_order(OFFER, APPROVAL), make_lead(stage="advance"),
           make_lead(stage="lost"), make_visit(), make_expense(), make_todo(),
           make_track([(12.9, 77.5)])]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document a value can be replaced or removed."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(doc)))
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(where[-1], None)
        else:
            parent[where[-1]] = draw(json_values)
    return doc


@settings(max_examples=400, deadline=None)
@given(damaged())
def test_damaged_documents_get_a_verdict_with_reasons(doc: dict[str, Any]) -> None:
    facts = master_data()
    facts.add_offer(OFFER)
    verdict = validate(doc, owner="asha", facts=facts)
    assert isinstance(verdict, Verdict)
    assert verdict.ok or (verdict.problems and all(p.message for p in verdict.problems))
    assert verdict.reason
