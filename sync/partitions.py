"""Which partition an engineer database falls in, and a worker's fair share (pure)."""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass


def partition_of(db_name: str, count: int) -> int:
    """A stable hash (crc32, unlike hash() the same in every process) into `count` partitions."""
    return zlib.crc32(db_name.encode()) % count if count > 1 else 0


def fair_share(partitions: int, live_workers: int) -> int:
    """How many partitions one worker may hold: all of them split evenly, rounded up."""
    return math.ceil(partitions / max(live_workers, 1))


@dataclass(frozen=True)
class Rebalance:
    """What one worker does at a heartbeat: give partitions back or claim free ones."""

    release: list[int]
    claim_up_to: int


def rebalance(held: list[int], share: int) -> Rebalance:
    """Hold exactly `share` partitions: release the highest beyond it, or claim the gap."""
    ordered = sorted(held)
    if len(ordered) > share:
        return Rebalance(release=ordered[share:], claim_up_to=0)
    return Rebalance(release=[], claim_up_to=share - len(ordered))


class PartitionError(RuntimeError):
    """The partitions cannot be used or changed as configured; the message says why."""


class PartitionCountMismatch(PartitionError):
    """The workers of one deployment disagree on the number of partitions."""

    def __init__(self, stored: int, configured: int) -> None:
        super().__init__(
            f"The SQL database holds leases for {stored} worker partitions, but this worker is "
            f"configured with FIELDSYNC_WORKER_PARTITIONS={configured}. Every worker of a "
            f"deployment must use the same number: set FIELDSYNC_WORKER_PARTITIONS={stored}, or "
            f"stop every worker and start one with `fieldsync worker --repartition` to change it "
            f"to {configured}.")
        self.stored = stored
        self.configured = configured


class WorkersStillRunning(PartitionError):
    """The partition count cannot change under running workers."""

    def __init__(self, owners: list[str]) -> None:
        super().__init__(f"Cannot change the number of partitions while workers hold leases "
                         f"({', '.join(owners)}): stop every worker first, or wait for their "
                         "leases to run out.")
