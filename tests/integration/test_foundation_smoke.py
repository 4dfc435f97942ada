"""The embedded store and both SQL dialects come up and migrate."""

from __future__ import annotations

from sqlalchemy import inspect

from server.bootstrap import Services
from server.rebuild import projection_tables
from server.sql.migrate import upgrade
from server.sql.models import Base
from server.sql.session import make_engine


def test_store_and_sql_are_reachable(services: Services) -> None:
    assert services.store.ping()
    created = services.store.ensure_db(services.settings.db_prefix + "smoke")
    assert created
    assert not services.store.ensure_db(services.settings.db_prefix + "smoke")
    assert "alembic_version" in inspect(services.engine).get_table_names()


def test_migrations_build_every_table_from_an_empty_database(empty_sql_url: str) -> None:
    engine = make_engine(empty_sql_url)
    try:
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert {t.name for t in projection_tables()} <= tables
        upgrade(engine)  # at head already: nothing to do, nothing fails
    finally:
        engine.dispose()


def test_models_and_migrations_agree(services: Services) -> None:
    """A model changed without a migration would make production differ from the tests."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
