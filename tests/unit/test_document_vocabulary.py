"""The document vocabulary: one definition in sync/documents, shipped to the phones as a
generated module that must be current, and used by every server copy that once kept its own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conflict import policies
from sync.documents import stages
from sync.documents.contract import DETAILS
from sync.documents.schema import LEAD_STAGES, PHONE_TYPES
from sync.documents.vocabulary import PHONE_VOCABULARY, vocabulary, vocabulary_js
from sync.gateway import writes

ROOT = Path(__file__).resolve().parents[2]


def test_the_vocabulary_shipped_with_the_phones_is_what_the_generator_writes_now() -> None:
    shipped = (ROOT / PHONE_VOCABULARY).read_text(encoding="utf-8")
    assert shipped == vocabulary_js(), "run `make contract` and commit phone-data/src/"


def test_the_module_exports_each_list_as_json_the_phone_reads_back() -> None:
    exported = {m[1]: m[2] or m[3] for m in re.finditer(
        r"^export const (\w+) = (?:Object\.freeze\((.*)\)|(.*));$", vocabulary_js(), re.MULTILINE)}
    assert {k: json.loads(v) for k, v in exported.items()} == {
        k.upper(): v for k, v in vocabulary().items()}
    assert json.loads(exported["PHONE_TYPES"]) == sorted(PHONE_TYPES)
    assert json.loads(exported["LEAD_STAGES"])[-1] == "lost"


def test_stage_lists_are_one_list() -> None:
    assert (*stages.FORWARD, stages.LOST) == LEAD_STAGES
    assert policies.STAGES == stages.FORWARD
    assert writes.PHONE_TYPES == PHONE_TYPES
    # Each stage's required details are among the details the contract lets a lead carry.
    fields = vocabulary()["stage_fields"]
    assert list(fields) == list(DETAILS.fields) == list(stages.FORWARD[1:])
    for stage, required in stages.REQUIRED_DETAILS.items():
        assert set(required) <= set(fields[stage])
