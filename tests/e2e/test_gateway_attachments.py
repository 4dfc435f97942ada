"""A photo over the attachment limit is refused per document, with a reason, while the rest of
the same push arrives (a real PouchDB phone through the gateway)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from server.accounts.service import create_user
from server.bootstrap import Services
from sync.gateway.writes import oversized_attachment
from sync.provisioning import engineer_db_name
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.timeout(120)


def expense(key: str, photo: bytes) -> dict[str, Any]:
    at = "2026-11-30T10:15:00+05:30"
    return {"_id": f"expense:{key}", "type": "expense", "owner": "asha", "schema_version": 2,
            "device_id": "android-1", "created_at": at, "updated_at": at, "date": "2026-11-30",
            "from_place": "Mysuru", "to_place": "Mandya", "mode": "bike", "km": 45,
            "amount": "450.00", "purpose": "Demo",
            "_attachments": {"receipt.jpg": {"content_type": "image/jpeg",
                                             "data": base64.b64encode(photo).decode()}}}


@pytest.fixture
def phone(services: Services) -> Iterator[Phone]:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer", team="south", territory="KA")
    with LiveServer(services) as live:
        r = requests.post(live.url + "/api/v1/auth/login",
                          json={"username": "asha", "password": PASSWORD}, timeout=10)
        r.raise_for_status()
        with Phone(live.url, r.json()["access_token"]) as p:
            yield p


def test_a_photo_over_the_limit_is_refused_and_the_rest_of_the_push_arrives(
        services: Services, phone: Phone) -> None:
    limit = services.settings.max_attachment_bytes
    assert limit == 5_000_000
    big = b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024) + b"\xff\xd9"
    small = b"\xff\xd8\xff\xd9"
    phone.call("bulk", db="me", docs=[expense("camera", big), expense("small", small)])
    pushed = phone.call("push", db="me")
    assert pushed["docs_written"] == 1 and pushed["doc_write_failures"] == 1
    denied = {d["id"]: d["reason"] for d in phone.call("denied")["denied"]}
    assert list(denied) == ["expense:camera"]
    assert "receipt.jpg is 6.3 MB; the limit is 5.0 MB" in denied["expense:camera"]
    stored = services.store.all_docs(engineer_db_name(services.settings.db_prefix, "asha"))
    assert [r["id"] for r in stored] == ["expense:small"]


def test_the_limit_counts_decoded_bytes_and_skips_stubs() -> None:
    exact = {"_attachments": {"a.png": {"data": base64.b64encode(b"x" * 1000).decode()}}}
    assert oversized_attachment(exact, 1000) is None
    assert "a.png is 0.0 MB" in (oversized_attachment(exact, 999) or "")
    stub = {"_attachments": {"a.png": {"stub": True, "length": 10**9}}}
    assert oversized_attachment(stub, 1000) is None
    assert oversized_attachment(exact, None) is None
