"""Property: a merge never loses a field that only one side changed."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conflict.merge import three_way
from conflict.policies import merge_fields, merge_lead, merge_todo
from conflict.values import MISSING as CONFLICT_MISSING

KEYS = [f"f{i}" for i in range(8)]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str))
values = st.recursive(scalars, lambda inner: st.dictionaries(st.sampled_from(KEYS), inner,
                                                             max_size=3), max_leaves=6)
docs = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)
flat_docs = st.dictionaries(st.sampled_from(KEYS), scalars, max_size=8)
MISSING = object()


@st.composite
def edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], set[str],
                                    set[str]]:
    """An ancestor and two sides that changed disjoint sets of top-level fields."""
    base = draw(docs)
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True))
    split = draw(st.integers(0, len(keys)))
    ours_keys, theirs_keys = set(keys[:split]), set(keys[split:])
    ours, theirs = dict(base), dict(base)
    for side, changed in ((ours, ours_keys), (theirs, theirs_keys)):
        for key in changed:
            if draw(st.booleans()) and key in side:
                del side[key]
            else:
                side[key] = draw(values)
    return base, ours, theirs, ours_keys, theirs_keys


def _value(doc: dict[str, Any], key: str) -> Any:
    return doc.get(key, MISSING)


@given(edits())
def test_one_sided_changes_always_survive(case: tuple[Any, ...]) -> None:
    base, ours, theirs, ours_keys, theirs_keys = case
    for policy in (merge_fields, merge_todo):
        result = policy(base, ours, theirs)
        assert result.settled
        for key in ours_keys:
            assert _value(result.merged, key) == _value(ours, key)
        for key in theirs_keys:
            assert _value(result.merged, key) == _value(theirs, key)


@given(edits())
def test_lead_keeps_one_sided_changes_outside_the_stage(case: tuple[Any, ...]) -> None:
    base, ours, theirs, ours_keys, theirs_keys = case
    result = merge_lead(base, ours, theirs)
    for key in ours_keys:
        assert _value(result.merged, key) == _value(ours, key)
    for key in theirs_keys:
        assert _value(result.merged, key) == _value(theirs, key)


@given(flat_docs, flat_docs, flat_docs)
def test_every_clash_is_reported_never_dropped(base: dict[str, Any], ours: dict[str, Any],
                                               theirs: dict[str, Any]) -> None:
    result = three_way(base, ours, theirs)
    reported = {d.path[0]: d for d in result.differences}
    for key in set(base) | set(ours) | set(theirs):
        o, t, b = _value(ours, key), _value(theirs, key), _value(base, key)
        clash = o != b and t != b and o != t
        # A real three-way clash must reach the queue; anything else must not.
        assert (key in reported) == clash, (key, b, o, t)
        if clash:
            assert (reported[key].ours, reported[key].theirs) == (_stored(o), _stored(t))
            continue
        merged = _value(result.merged, key)
        assert merged == (t if o == b else o)
    assert result.settled == (not reported)


def test_a_real_clash_is_reported_with_both_sides() -> None:
    result = three_way({"price": "10"}, {"price": "11"}, {"price": "12"})
    assert not result.settled
    assert [(d.path, d.ancestor, d.ours, d.theirs) for d in result.differences] == [
        (("price",), "10", "11", "12")]


def _stored(value: Any) -> Any:
    """The merge's own marker for an absent field, where the test uses its own."""
    return CONFLICT_MISSING if value is MISSING else value


@given(docs, docs)
def test_merge_is_symmetric_in_what_it_reports(ours: dict[str, Any],
                                               theirs: dict[str, Any]) -> None:
    forward = {d.field for d in three_way(None, ours, theirs).differences}
    backward = {d.field for d in three_way(None, theirs, ours).differences}
    assert forward == backward
