"""500 orders through each test ERP with faults switched on at random: each lands exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from erp_bridge.snapshot import build_snapshot
from server.bootstrap import Services
from tests.support.erp_servers.base import FAULTS
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import (  # noqa: F401
    erpnext_server,
    oracle_server,
    sap_server,
)
from tests.support.erp_servers.harness import drainer, enqueue, erp_settings, receipts

ORDERS = 500


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sap", "oracle", "erpnext"])
def test_500_orders_with_random_faults_land_exactly_once(services: Services, kind: str,
                                                         request: pytest.FixtureRequest) -> None:
    server: Any = request.getfixturevalue(f"{kind}_server")
    server.slow_s = 0.35
    docs = enqueue(services, range(1, ORDERS + 1), kind)
    kinds = [*FAULTS, "token-expiry"] if kind == "sap" else list(FAULTS)
    server.faults.randomly(0.25, kinds, seed=len(kind))
    settings = erp_settings(services, kind, server, erp_max_attempts=30, erp_batch_size=100)
    report = drainer(services, settings, FakeClock()).run_until_idle()

    keys = [build_snapshot(d)["key"] for d in docs]
    stored = server_keys(server)
    assert len(stored) == ORDERS
    assert Counter(stored) == Counter(keys)  # all 500, none twice
    assert report.accepted == ORDERS and report.dead == 0
    assert len(set(server.faults.fired)) >= len(kinds) - 1  # the faults really fired
    erp = receipts(services, docs)
    assert len(erp) == ORDERS
    assert all(e["status"] == "accepted" and e["number"] for e in erp.values())
    assert len({e["number"] for e in erp.values()}) == ORDERS


def server_keys(server: Any) -> list[str]:
    if hasattr(server, "docs"):
        return [d[server.order_id_field] for d in server.docs["Sales Order"]]
    if hasattr(server, "next_header"):
        return [source_id for _, source_id in server.orders]
    return [o["PurchaseOrderByCustomer"] for o in server.orders.values()]
