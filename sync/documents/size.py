"""The one size rule for a phone's document, shared by the gateway and the worker (pure)."""

from __future__ import annotations

from typing import Any

import orjson

# The only place the limit lives: the gateway refuses above it and the worker rejects above it.
MAX_DOCUMENT_BYTES = 1_048_576

# Measured: what the engineer wrote, i.e. `_id` and every field without a leading underscore.
# Left out: CouchDB's own bookkeeping (`_rev`, `_revisions`, `_conflicts`, `_deleted`, …) and
# `_attachments` (they have a cap of their own). The bookkeeping is not the same on both sides:
# the gateway sees `_revisions` (the phone sends the revision history, which grows by about 35
# bytes with every edit), the worker reads the document from `_changes` with `_rev` and
# `_conflicts` instead. Counting any of it made a document near the limit pass one side and
# fail the other, and become unpushable after a few edits although its content never grew.
def measured_part(doc: dict[str, Any]) -> dict[str, Any]:
    """The part of a document the size rule measures."""
    return {k: v for k, v in doc.items() if k == "_id" or not k.startswith("_")}


def document_size(doc: dict[str, Any]) -> int:
    """Compact UTF-8 JSON bytes of the measured part; raises TypeError for non-JSON values."""
    return len(orjson.dumps(measured_part(doc)))


def size_problem(doc: dict[str, Any]) -> str | None:
    """Why the document is too large (or not measurable), or None when its size is fine."""
    try:
        size = document_size(doc)
    except TypeError as error:
        return f"the document is not plain JSON ({error})"
    if size > MAX_DOCUMENT_BYTES:
        return (f"the document is {size:,} bytes; at most {MAX_DOCUMENT_BYTES:,} are allowed "
                "(without attachments): split it or move large content into attachments")
    return None
