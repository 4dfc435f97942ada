"""The conflict queue over the API: heads read their team's, only admins resolve."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.bootstrap import Services
from sync.provisioning import engineer_db_name
from sync.store import CouchStore
from tests.factories import make_offer
from tests.support.api import ApiClient, api_client, assert_error, seed
from tests.support.conflict_revisions import make_conflict


@pytest.fixture
def api(services: Services) -> Iterator[ApiClient]:
    seed(services)
    yield api_client(services)


def _queued(services: Services) -> tuple[int, list[str]]:
    """An offer whose price was changed differently on two devices: it needs an admin."""
    db = engineer_db_name(services.settings.db_prefix, "asha")
    base = make_offer("asha", "C-1", [("P-100", 1, "1000.00", "0", "18")], offer_id="offer:o1")
    store = services.store
    assert isinstance(store, CouchStore)
    revs = make_conflict(store, db, base,
                         make_offer("asha", "C-1", [("P-100", 1, "950.00", "0", "18")],
                                    offer_id="offer:o1"),
                         make_offer("asha", "C-1", [("P-100", 1, "900.00", "0", "18")],
                                    offer_id="offer:o1"))
    outcome = services.conflicts.handle(db, "offer:o1")
    assert outcome.status == "queued" and outcome.conflict_id is not None
    return outcome.conflict_id, revs


def test_heads_read_their_teams_conflicts_and_admins_resolve(api: ApiClient,
                                                             services: Services) -> None:
    conflict_id, revs = _queued(services)
    listed = api.get("/api/v1/conflicts", "hema").json
    assert [c["id"] for c in listed["items"]] == [conflict_id] and listed["total"] == 1
    assert api.get("/api/v1/conflicts", "nina").json["total"] == 0
    assert_error(api.get(f"/api/v1/conflicts/{conflict_id}", "nina"), 404)
    shown = api.get(f"/api/v1/conflicts/{conflict_id}", "hema").json
    assert shown["doc_id"] == "offer:o1" and shown["differences"]
    assert_error(api.get("/api/v1/conflicts", "asha"), 403)
    assert_error(api.post(f"/api/v1/conflicts/{conflict_id}/resolve", "hema",
                          json={"method": "keep", "rev": revs[0]}), 403)
    assert_error(api.post(f"/api/v1/conflicts/{conflict_id}/resolve", "adam",
                          json={"method": "keep"}), 422)
    assert_error(api.post(f"/api/v1/conflicts/{conflict_id}/resolve", "adam",
                          json={"method": "pick", "picks": {"nowhere": revs[0]}}), 422)
    done = api.post(f"/api/v1/conflicts/{conflict_id}/resolve", "adam",
                    json={"method": "keep", "rev": revs[0]})
    assert done.status_code == 200 and done.json["status"] == "resolved"
    assert done.json["resolutions"][0]["resolved_by"] == "adam"
    assert_error(api.post(f"/api/v1/conflicts/{conflict_id}/resolve", "adam",
                          json={"method": "keep", "rev": revs[0]}), 409)
    assert_error(api.get("/api/v1/conflicts/99999", "adam"), 404)
    assert api.get("/api/v1/conflicts?status=resolved", "adam").json["total"] == 1


def test_a_conflict_id_beyond_the_id_column_is_a_404(api: ApiClient) -> None:
    """Found by the schema fuzzer: an id SQL cannot hold made SQLite overflow into a 500."""
    for too_big in (2**31, 5098296462955345084416):
        assert_error(api.get(f"/api/v1/conflicts/{too_big}", "adam"), 404)
        assert_error(api.post(f"/api/v1/conflicts/{too_big}/resolve", "adam",
                              json={"method": "keep", "rev": "1-a"}), 404)
