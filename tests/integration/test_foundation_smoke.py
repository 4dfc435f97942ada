"""The embedded store and both SQL dialects come up and migrate."""

from __future__ import annotations

from sqlalchemy import inspect

from server.bootstrap import Services


def test_store_and_sql_are_reachable(services: Services) -> None:
    assert services.store.ping()
    created = services.store.ensure_db(services.settings.db_prefix + "smoke")
    assert created
    assert not services.store.ensure_db(services.settings.db_prefix + "smoke")
    assert "alembic_version" in inspect(services.engine).get_table_names()
