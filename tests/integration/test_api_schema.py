"""Schemathesis against /api/openapi.json: no input makes the API fail or break its schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.app import create_app
from server.bootstrap import Services, bootstrap
from server.config import Settings
from server.sql.migrate import upgrade
from sync.embedded import StoreEndpoint
from tests.support.api import api_client, seed

EXAMPLES = 12  # per operation: about 50 operations, well under a minute on two cores
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def sqlite_services(tmp_path: Path, store_endpoint: StoreEndpoint,
                    db_prefix: str) -> Iterator[Services]:
    """The fuzz run needs one database only: the SQL layer is covered on both elsewhere."""
    built = bootstrap(Settings(
        var_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path / 'fuzz.db'}",
        store_url=store_endpoint.url, store_username=store_endpoint.username,
        store_password=store_endpoint.password, db_prefix=db_prefix,
        jwt_secret="test-secret-not-for-production-0123456789"))
    upgrade(built.engine)
    yield built
    built.close()


# Each role sees other answers (403s, its own rows only): an admin, a head and an engineer.
@pytest.mark.parametrize("username", ["adam", "hema", "asha"])
def test_no_input_breaks_the_api(sqlite_services: Services, username: str) -> None:
    seed(sqlite_services)
    token = api_client(sqlite_services).token(username)
    app = create_app(services=sqlite_services)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation the fuzzer cannot read: {result.err()}")
            continue
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
        def run(case: schemathesis.Case) -> None:
            # identity: the WSGI transport hands the fuzzer the body as sent, so a compressed
            # answer (compression has its own tests) would read as undecodable JSON.
            case.call_and_validate(headers={"Authorization": f"Bearer {token}",
                                            "Accept-Encoding": "identity"},
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # report every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:4000])
    assert not failures, "\n\n".join(failures)
