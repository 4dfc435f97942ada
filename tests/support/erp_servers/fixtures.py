"""Pytest fixtures that start and stop the test ERPs; import them into a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.erp_servers.erpnext import ErpNextServer
from tests.support.erp_servers.oracle import OracleServer
from tests.support.erp_servers.sap import SapServer


@pytest.fixture
def sap_server() -> Iterator[SapServer]:
    server = SapServer(page_cap=3)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def oracle_server() -> Iterator[OracleServer]:
    server = OracleServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def erpnext_server() -> Iterator[ErpNextServer]:
    server = ErpNextServer()
    server.start()
    yield server
    server.stop()
