"""What the server keeps of a refused write: the document as sent, capped, paired by id."""

from __future__ import annotations

import json

from sync.refusals import capped_body, metric_type, refusals_of
from tests.support.gateway_docs import todo


def test_each_refusal_is_paired_with_the_document_it_refused() -> None:
    sent = [todo("asha", "a", title=""), todo("asha", "b"), "not a document",
            {**todo("asha", "c"), "_id": "x" * 161}]
    refused = [{"id": "todo:a", "error": "forbidden", "reason": "title must not be empty"},
               {"id": "", "error": "forbidden", "reason": "each document must be a JSON object"},
               {"id": "x" * 161, "error": "forbidden", "reason": "bad id"}]
    [only] = refusals_of(sent, refused)
    assert (only.doc_id, only.doc_type, only.device_id) == ("todo:a", "todo", "phone-1")
    assert only.reason == "title must not be empty" and only.body["title"] == ""


def test_a_large_document_keeps_its_identity_and_the_fields_that_fit() -> None:
    doc = {**todo("asha", "big"), "notes": "n" * 100_000,
           "_attachments": {"photo.jpg": {"content_type": "image/jpeg", "data": "A" * 1000}}}
    body = capped_body(doc, cap=4096)
    assert len(json.dumps(body)) <= 4096
    assert body["_id"] == "todo:big" and body["title"] == doc["title"]
    assert body["_left_out"] == ["notes"]
    assert body["_attachments"] == {"photo.jpg": {"content_type": "image/jpeg",
                                                  "data_left_out": True}}
    small = todo("asha", "small")
    assert capped_body(small) == small


def test_metric_labels_hold_only_known_types() -> None:
    assert metric_type("offer") == "offer" and metric_type("Asha's notes") == "other"
