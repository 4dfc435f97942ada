"""Property: a merge never loses a field that only one side changed."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conflict.merge import three_way
from conflict.policies import merge_fields, merge_lead, merge_todo

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
    clashed = {d.path[0] for d in result.differences}
    for key in set(ours) | set(theirs):
        o, t, b = _value(ours, key), _value(theirs, key), _value(base, key)
        if key in clashed:
            continue
        merged = _value(result.merged, key)
        assert merged in (o, t)
        if o != b:
            assert merged == o or t == merged != b
        if t != b and o == b:
            assert merged == t


@given(docs, docs)
def test_merge_is_symmetric_in_what_it_reports(ours: dict[str, Any],
                                               theirs: dict[str, Any]) -> None:
    forward = {d.field for d in three_way(None, ours, theirs).differences}
    backward = {d.field for d in three_way(None, theirs, ours).differences}
    assert forward == backward
