"""`fieldsync migrate` creates a fresh CouchDB's system databases and leaves other stores be."""

from __future__ import annotations

from sync.provisioning import SYSTEM_DATABASES, ensure_system_databases, is_apache_couchdb
from sync.store import CouchStore


def test_system_databases_exist_after_and_a_second_run_changes_nothing(store: CouchStore) -> None:
    ensure_system_databases(store)
    for name in SYSTEM_DATABASES:
        assert "db_name" in store.db_info(name), name
    assert ensure_system_databases(store) == []
    assert store.ping()


def test_only_apache_couchdb_gets_global_changes(store: CouchStore) -> None:
    assert not is_apache_couchdb(store.server_info())  # the embedded PouchDB Server
    assert is_apache_couchdb({"couchdb": "Welcome", "version": "3.4.2",
                              "vendor": {"name": "The Apache Software Foundation"}})
    assert is_apache_couchdb({"couchdb": "Welcome", "version": "3.1.0"})
    assert not is_apache_couchdb({"couchdb": "Welcome", "version": "2.1.1",
                                  "vendor": {"name": "IBM Cloudant", "variant": "paas"}})
    assert "_global_changes" not in store.all_dbs()
