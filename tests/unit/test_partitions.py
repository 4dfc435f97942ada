"""Partitions of the engineer databases and each worker's fair share (pure rules)."""

from __future__ import annotations

from collections import Counter

from sync.partitions import PartitionCountMismatch, fair_share, partition_of, rebalance


def test_databases_spread_over_every_partition_stably() -> None:
    names = [f"fs-eng-engineer{i}" for i in range(2000)]
    spread = Counter(partition_of(n, 64) for n in names)
    assert set(spread) == set(range(64))
    assert max(spread.values()) < 3 * min(spread.values())
    assert partition_of("fs-eng-asha", 64) == partition_of("fs-eng-asha", 64)
    assert partition_of("fs-eng-asha", 1) == 0


def test_fair_share_rounds_up_so_every_partition_has_room() -> None:
    assert fair_share(64, 1) == 64
    assert fair_share(64, 2) == 32
    assert fair_share(64, 3) == 22
    assert fair_share(64, 0) == 64
    assert fair_share(64, 100) == 1


def test_rebalance_gives_back_the_excess_or_claims_the_gap() -> None:
    assert rebalance(list(range(64)), 32).release == list(range(32, 64))
    assert rebalance(list(range(64)), 32).claim_up_to == 0
    assert rebalance([5, 1], 22) == rebalance([1, 5], 22)
    assert rebalance([1, 5], 22).claim_up_to == 20 and rebalance([1, 5], 22).release == []
    assert rebalance([], 64).claim_up_to == 64


def test_a_changed_partition_count_says_what_to_do() -> None:
    message = str(PartitionCountMismatch(64, 32))
    assert "64" in message and "FIELDSYNC_WORKER_PARTITIONS=64" in message
    assert "--repartition" in message
