"""The admin REST endpoints for ERP pushes: lists, retries, health, and who may use them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.bootstrap import Services
from tests.support.api import api_client, assert_error, seed
from tests.support.erp_servers.clock import FakeClock
from tests.support.erp_servers.fixtures import oracle_server  # noqa: F401
from tests.support.erp_servers.harness import drainer, enqueue, erp_overrides, receipts


def test_admin_lists_retries_and_sees_health(build_services: Callable[..., Services],
                                             oracle_server: Any) -> None:  # noqa: F811
    services = build_services(**erp_overrides("oracle", oracle_server, erp_max_attempts=1))
    settings = services.settings
    seed(services)
    docs = enqueue(services, range(1, 4), "oracle")
    oracle_server.faults.push("503")
    clock = FakeClock()
    drainer(services, settings, clock).run_until_idle()
    api = api_client(services)

    dead = api.get("/api/v1/erp/dead-letters", "adam")
    assert dead.status_code == 200 and len(dead.json) == 1  # type: ignore[arg-type]
    dead_id = dead.json[0]["order_id"]  # type: ignore[index]
    assert "503" in dead.json[0]["reason"]  # type: ignore[index]
    listed: list[dict[str, Any]] = api.get("/api/v1/erp/outbox?status=accepted", "adam").json or []
    assert len(listed) == 2 and all(r["erp_number"] for r in listed)
    health = api.get("/api/v1/erp/health", "adam").json
    assert health[0]["erp_kind"] == "oracle" and health[0]["failed"] == 1  # type: ignore[index]

    retried = api.post(f"/api/v1/erp/outbox/{dead_id}/retry", "adam")
    assert retried.status_code == 200 and retried.json["status"] == "queued"  # type: ignore[index]
    assert_error(api.post(f"/api/v1/erp/outbox/{dead_id}/retry", "adam"), 409)
    assert_error(api.post("/api/v1/erp/outbox/order:missing/retry", "adam"), 404)
    assert api.post("/api/v1/erp/dead-letters/retry", "adam").json == {"requeued": 0}
    drainer(services, settings, clock).run_until_idle()
    assert all(e["status"] == "accepted" for e in receipts(services, docs).values())


def test_only_admins_may_see_erp_pushes(services: Services) -> None:
    seed(services)
    api = api_client(services)
    assert_error(api.get("/api/v1/erp/outbox"), 401)
    assert_error(api.get("/api/v1/erp/health", "hema"), 403)
    assert_error(api.post("/api/v1/erp/dead-letters/retry", "asha"), 403)
    assert_error(api.get("/api/v1/erp/outbox?status=lost", "adam"), 422)
