"""Worker partitions as operations see them: unowned ones for /healthz, owners and lag for
/metrics. Read from SQL, so any `serve` process answers for every worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import select

from server.bootstrap import Services
from server.sql.models.sync_state import DirtyDatabase, WorkerLease
from sync.partitions import partition_of


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _waiting_since(lease: WorkerLease, now: datetime) -> datetime | None:
    """When the partition last had a live owner; None while it has one."""
    expires = _aware(lease.expires_at)
    if lease.owner is not None and expires is not None and expires > now:
        return None
    if lease.owner is None:
        return _aware(lease.unowned_since) or expires
    return expires


def _leases(services: Services) -> list[WorkerLease]:
    with services.sessions() as session:
        return list(session.scalars(select(WorkerLease).order_by(WorkerLease.partition)))


def partition_report(services: Services) -> dict[str, Any]:
    """How many partitions lack a live owner and the longest wait; not ok past the setting."""
    now = datetime.now(UTC)
    waits = [(now - since).total_seconds() for lease in _leases(services)
             if (since := _waiting_since(lease, now)) is not None]
    longest = max(waits, default=0.0)
    limit = services.settings.worker_unowned_alert_s
    return {"ok": longest <= limit, "unowned": len(waits),
            "longest_unowned_s": round(longest, 3), "alert_after_s": limit}


def partition_lags(services: Services, count: int) -> dict[int, float]:
    """Per partition, how long its oldest dirty database has waited for the worker."""
    now = datetime.now(UTC)
    with services.sessions() as session:
        rows = session.execute(select(DirtyDatabase.db_name, DirtyDatabase.marked_at)).all()
    lags: dict[int, float] = {}
    for db_name, marked_at in rows:
        partition = partition_of(str(db_name), count)
        waited = max((now - (_aware(marked_at) or now)).total_seconds(), 0.0)
        lags[partition] = max(lags.get(partition, 0.0), waited)
    return lags


class PartitionCollector:
    """Prometheus collector: owner, fencing number, unowned wait and lag of each partition."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        leases = _leases(self.services)
        now = datetime.now(UTC)
        owner = GaugeMetricFamily("fieldsync_partition_owner",
                                  "1 for the worker holding each partition's live lease",
                                  labels=["partition", "owner"])
        fencing = GaugeMetricFamily("fieldsync_partition_fencing",
                                    "Fencing number of each partition's lease",
                                    labels=["partition"])
        unowned = GaugeMetricFamily("fieldsync_partition_unowned_seconds",
                                    "Seconds each partition has been without a live owner",
                                    labels=["partition"])
        lag = GaugeMetricFamily("fieldsync_partition_lag_seconds",
                                "Seconds the oldest dirty database of each partition has waited",
                                labels=["partition"])
        lags = partition_lags(self.services, len(leases) or 1) if leases else {}
        for lease in leases:
            label = str(lease.partition)
            since = _waiting_since(lease, now)
            if since is None:
                owner.add_metric([label, str(lease.owner)], 1)
            fencing.add_metric([label], lease.fencing)
            unowned.add_metric([label], 0.0 if since is None else (now - since).total_seconds())
            lag.add_metric([label], lags.get(lease.partition, 0.0))
        yield from (owner, fencing, unowned, lag)
