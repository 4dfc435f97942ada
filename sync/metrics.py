"""Prometheus metrics of the sync worker and gateway (multi-process safe via prometheus-client)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DOCUMENTS = Counter(
    "fieldsync_documents_processed", "Documents the worker judged, by type and verdict",
    ["doc_type", "status"],
)
BATCH_SECONDS = Histogram(
    "fieldsync_worker_batch_seconds", "Time to process one batch of changes, commit included",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RECEIPTS = Counter("fieldsync_receipts_written", "Receipts written back to engineer databases")
DIRTY_DATABASES = Gauge("fieldsync_dirty_databases", "Databases waiting for the worker",
                        multiprocess_mode="livemax")
# One figure, not one per database: engineer databases are named after their engineers, and
# /metrics must not list who uses FieldSync.
WORKER_LAG = Gauge("fieldsync_worker_lag_seconds",
                   "Longest wait, in the worker's last pass, between a database being marked "
                   "dirty and the worker reading it", multiprocess_mode="livemax")
# Refused documents by who refused them: the gateway at write time (never stored) or the worker.
REFUSALS = Counter(
    "fieldsync_documents_refused", "Documents refused, by type and by who refused them",
    ["doc_type", "source"],
)
