"""Learning which engineer databases changed from the store's `_db_updates` feed.

The dirty set (every writer marks the database it wrote) stays the primary signal and the only
one PouchDB Server offers; on CouchDB 3 and Cloudant the store's own feed also catches writes
that did not pass through FieldSync (a replication, an admin's fix), long before the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sync.store import DocumentStore, StoreError

log = logging.getLogger("fieldsync.worker")


class DbUpdatesFollower:
    """Polls `_db_updates` from where it last stopped; switches itself off where unsupported."""

    def __init__(self, store: DocumentStore, prefix: str) -> None:
        self.store = store
        self.prefix = prefix + "eng-"
        self.since = "now"  # what happened before the worker started, the sweep finds
        self.supported = True

    def poll(self, wanted: Callable[[str], bool]) -> list[str]:
        """Engineer databases changed since the last poll for which `wanted` is true."""
        if not self.supported:
            return []
        try:
            updates = self.store.db_updates(self.since)
        except StoreError as exc:  # the dirty set still works: try again next pass
            log.warning("event=db_updates_failed error=%r", str(exc))
            return []
        if updates is None:
            self.supported = False
            log.info("event=db_updates_unsupported fallback=dirty_set")
            return []
        self.since = updates.last_seq
        return sorted({n for n in updates.db_names if n.startswith(self.prefix) and wanted(n)})
