"""Shared fixtures: the real embedded store, real SQLite and PostgreSQL, and built services."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from server.sql.session import make_engine
from sync.embedded import EmbeddedStore, StoreEndpoint
from sync.store import CouchStore
from tests.support.postgres import create_database, drop_database, postgres_server

_prefixes = itertools.count(1)

# Property tests check correctness; speed belongs to `make bench`, and a busy machine (CI shares
# its cores) must not turn slow input generation into a failure.
settings.register_profile("fieldsync", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("fieldsync")


@pytest.fixture(scope="session")
def store_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreEndpoint]:
    """One in-memory PouchDB Server for the whole run; tests isolate by database prefix."""
    store = EmbeddedStore(tmp_path_factory.mktemp("store"), in_memory=True)
    with store:
        yield store.endpoint


@pytest.fixture
def store(store_endpoint: StoreEndpoint) -> CouchStore:
    return CouchStore(store_endpoint.url, store_endpoint.username, store_endpoint.password)


@pytest.fixture
def db_prefix() -> str:
    return f"t{next(_prefixes)}-"


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy (migrating costs seconds)."""
    path = tmp_path_factory.mktemp("sql-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated to head once, cloned for each test."""
    url, name = create_database(postgres_admin_url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    drop_database(postgres_admin_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh SQL database at the newest schema: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "fieldsync.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    url, name = create_database(admin_url, template=request.getfixturevalue("postgres_template"))
    yield url
    drop_database(admin_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty SQL database, for the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    url, name = create_database(admin_url)
    yield url
    drop_database(admin_url, name)


@pytest.fixture
def settings(tmp_path: Path, sql_url: str, store_endpoint: StoreEndpoint,
             db_prefix: str) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=sql_url,
        store_url=store_endpoint.url,
        store_username=store_endpoint.username,
        store_password=store_endpoint.password,
        db_prefix=db_prefix,
        jwt_secret="test-secret-not-for-production-0123456789",
        worker_poll_interval_s=0.02,
    )


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Bootstrapped services on a migrated database (Alembic `upgrade head`, a no-op on the
    template copies, kept so a test database can never lag behind the migrations)."""
    built = bootstrap(settings)
    upgrade(built.engine)
    yield built
    built.close()


@pytest.fixture
def build_services(services: Services) -> Iterator[Callable[..., Services]]:
    """Builds more Services on the same databases with some settings changed
    (`build_services(erp_kind="sap")`): a test gets what it needs from the composition root
    instead of changing the settings of services already built. Each is closed after the test."""
    built: list[Services] = []

    def build(**overrides: Any) -> Services:
        more = bootstrap(services.settings.with_overrides(**overrides), store=services.store)
        built.append(more)
        return more

    yield build
    for more in built:
        more.close()
