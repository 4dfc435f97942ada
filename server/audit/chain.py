"""The audit trail's hash chain: canonical JSON, row hashes and the chain check (pure).

Each row's hash covers its own content and the hash of the row before it, so editing, deleting
or reordering any row breaks every hash from that row on; `check_chain` names the first one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "sha256:" + "0" * 64  # the "previous hash" of the first row


def jsonable(value: Any) -> Any:
    """`value` with every Decimal, date and enum as a string, so JSON carries it exactly."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    return value


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 as is; what the hashes are taken of."""
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)


def timestamp_text(moment: datetime) -> str:
    """A moment as UTC ISO 8601 with microseconds (SQLite hands back naive UTC datetimes)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Entry:
    """One audit row as hashed: `before`/`after` are canonical JSON texts ("null" for none)."""

    seq: int
    at: str
    actor: str
    actor_role: str
    address: str
    device_id: str
    action: str
    entity_type: str
    entity_id: str
    before: str
    after: str
    prev_hash: str = GENESIS
    hash: str = ""

    def content_hash(self) -> str:
        """The hash this row must carry: its content and the previous row's hash."""
        content = {k: v for k, v in asdict(self).items() if k != "hash"}
        return "sha256:" + hashlib.sha256(canonical_json(content).encode()).hexdigest()


def seal(entry: Entry, prev_seq: int, prev_hash: str) -> Entry:
    """The entry placed after the row (`prev_seq`, `prev_hash`), with its own hash."""
    placed = replace(entry, seq=prev_seq + 1, prev_hash=prev_hash, hash="")
    return replace(placed, hash=placed.content_hash())


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding: the row (by sequence number) and what is wrong."""

    seq: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    """The result of a check: how many rows were read, the last hash, the first break."""

    rows: int
    last_seq: int
    last_hash: str
    broken: Break | None


def check_chain(entries: Iterable[Entry], head: tuple[int, str] | None = None) -> ChainReport:
    """Walk the rows in sequence order; `head` is the (seq, hash) the recorder last wrote."""
    expected_seq, expected_prev, count = 1, GENESIS, 0
    for entry in entries:
        broken = _check_one(entry, expected_seq, expected_prev)
        if broken is not None:
            return ChainReport(count, expected_seq - 1, expected_prev, broken)
        count += 1
        expected_seq, expected_prev = entry.seq + 1, entry.hash
    last_seq = expected_seq - 1
    if head is not None and (head[0], head[1]) != (last_seq, expected_prev) and head[0] > 0:
        return ChainReport(count, last_seq, expected_prev, Break(
            last_seq + 1, f"rows {last_seq + 1} to {head[0]} were deleted: the chain head "
                          f"says the last row is {head[0]}"))
    return ChainReport(count, last_seq, expected_prev, None)


def _check_one(entry: Entry, expected_seq: int, expected_prev: str) -> Break | None:
    if entry.seq != expected_seq:
        if entry.seq > expected_seq:
            return Break(expected_seq, f"row {expected_seq} is missing (deleted); the next "
                                       f"row is {entry.seq}")
        return Break(entry.seq, f"row {entry.seq} appears out of order")
    if entry.content_hash() != entry.hash:
        return Break(entry.seq, f"row {entry.seq} was changed: its content does not match "
                                "its hash")
    if entry.prev_hash != expected_prev:
        return Break(entry.seq, f"row {entry.seq} does not follow row {entry.seq - 1}: a row "
                                "before it was changed, removed or moved")
    return None
