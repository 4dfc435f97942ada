"""A FieldSync API client for tests (Flask test client with per-user tokens) and seed data."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient

from server.accounts.passwords import hash_password
from server.accounts.repository import SqlAccounts
from server.accounts.roles import Role
from server.app import create_app
from server.bootstrap import Services
from server.sales.catalog import CatalogService
from server.sales.masterdata import gstin_check_char
from sync.dirty import DirtySet
from sync.provisioning import engineer_db_name, provision_engineer
from sync.publish import MasterDataPublisher

PASSWORD = "correct horse battery"
# admin adam; heads hema (south) and nina (north); engineers asha, ravi (south) and bob (north)
PEOPLE = [
    ("adam", "admin", None, None, "0"),
    ("hema", "head", "south", None, "0"),
    ("nina", "head", "north", None, "0"),
    ("asha", "engineer", "south", "KA", "5"),
    ("ravi", "engineer", "south", "KA", "5"),
    ("bob", "engineer", "north", "TN", "5"),
]


def gstin(state: str, pan: str = "AABCS1429B", entity: str = "1") -> str:
    """A GSTIN with a correct check character."""
    first = f"{state}{pan}{entity}Z"
    return first + gstin_check_char(first)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def seed(services: Services) -> None:
    """Territories, master data and the people above."""
    catalog = CatalogService(services.sessions, MasterDataPublisher(
        services.store, services.sessions, services.settings.db_prefix))
    catalog.save_territory("KA", "Karnataka")
    catalog.save_territory("TN", "Tamil Nadu")
    accounts = SqlAccounts(services.sessions)
    for name, role, team, territory, limit in PEOPLE:
        # Hashing a password takes most of a second: every seeded user shares one hash.
        accounts.add_user(name, _password_hash(), Role(role), team, territory, Decimal(limit),
                          name.title())
        if role == "engineer":
            provision_engineer(services.store, services.sessions, services.settings.db_prefix,
                               name)
    catalog.save_products([
        {"product_id": "P-100", "name": "Chiller 5TR", "hsn_code": "8418", "gst_rate": "18"},
        {"product_id": "P-200", "name": "Filter cartridge", "hsn_code": "842121",
         "gst_rate": "5"},
        {"product_id": "P-300", "name": "Compressor", "hsn_code": "84143000",
         "gst_rate": "28"}])
    catalog.save_customers([
        {"customer_id": "C-1", "name": "Sri Lakshmi Cold Storage", "state_code": "29",
         "territory_code": "KA", "gstin": gstin("29"), "city": "Mysuru",
         "address": "12 Industrial Area", "lat": 12.3, "lon": 76.6},
        {"customer_id": "C-2", "name": "Pune Dairy & Sons", "state_code": "27",
         "territory_code": "KA", "gstin": gstin("27")},
        {"customer_id": "C-9", "name": "Chennai Foods", "state_code": "33",
         "territory_code": "TN"}])


@dataclass(frozen=True)
class Reply:
    """One API answer: status, parsed JSON (None when the body is not JSON) and raw bytes."""

    status_code: int
    json: Any
    data: bytes
    mimetype: str
    headers: Mapping[str, str]


class ApiClient:
    """Calls the API as one of the seeded people."""

    def __init__(self, client: FlaskClient, services: Services) -> None:
        self.client = client
        self.services = services
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        """An access token as a login issues it (the login itself is tested with accounts)."""
        if user not in self.tokens:
            found = self.services.accounts.repo.find_user(user)
            assert found is not None, user
            principal = found[0]
            self.tokens[user] = self.services.accounts.signer.issue(
                principal.user_id, principal.username, principal.role.value, datetime.now(UTC))
        return self.tokens[user]

    def call(self, method: str, path: str, user: str | None = None, **kwargs: Any
             ) -> Reply:
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        r = self.client.open(path, method=method, headers=headers, **kwargs)
        return Reply(r.status_code, r.get_json(silent=True), r.data, r.mimetype or "",
                     dict(r.headers))

    def get(self, path: str, user: str | None = None, **kwargs: Any) -> Reply:
        return self.call("GET", path, user, **kwargs)

    def post(self, path: str, user: str | None = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, user, **kwargs)

    def patch(self, path: str, user: str | None = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, user, **kwargs)

    def put(self, path: str, user: str | None = None, **kwargs: Any) -> Reply:
        return self.call("PUT", path, user, **kwargs)


def api_client(services: Services) -> ApiClient:
    app = create_app(services=services)
    app.testing = True
    return ApiClient(app.test_client(), services)


def phone_writes(services: Services, owner: str, *docs: dict[str, Any]) -> list[dict[str, Any]]:
    """Documents written into the engineer's database (as the gateway would), then processed."""
    db = engineer_db_name(services.settings.db_prefix, owner)
    results = services.store.bulk_docs(db, list(docs))
    DirtySet(services.sessions).mark([db])
    services.worker().run_until_idle()
    return results


def receipt(services: Services, owner: str, doc_id: str) -> dict[str, Any]:
    db = engineer_db_name(services.settings.db_prefix, owner)
    return services.store.get_doc(db, f"receipt:{doc_id}")


def assert_error(response: Reply, status: int) -> dict[str, Any]:
    """The one error shape: {code, status, message[, errors]} as JSON."""
    assert response.status_code == status, (response.status_code, response.data[:500])
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.json
    assert body["code"] == status and isinstance(body["status"], str)
    assert isinstance(body["message"], str) and body["message"]
    return body
