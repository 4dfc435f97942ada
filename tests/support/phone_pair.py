"""One engineer with two real phones on a live gateway, plus an admin and a head of her team."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy import select

from server.accounts.service import create_user
from server.bootstrap import Services
from server.demo import load_master_data
from server.sql.models.sync_state import DocumentStatus
from sync.provisioning import engineer_db_name
from tests.factories import loc
from tests.support.live_server import LiveServer
from tests.support.phone import Phone

Doc = dict[str, Any]
PASSWORD = "correct horse battery"
ENGINEER, ADMIN, HEAD = "asha", "adam", "hema"


@dataclass
class Device:
    """A phone and the `device_id` it stamps on what it writes."""

    name: str
    phone: Phone

    def get(self, doc_id: str, **options: Any) -> Doc:
        return dict(self.phone.call("get", db="me", id=doc_id, options=options))

    def edit(self, doc_id: str, at: str, **changes: Any) -> str:
        """Change fields offline as the app does (who, when, where); returns the new rev."""
        doc = self.get(doc_id)
        doc.update(changes, device_id=self.name, updated_at=at, loc=loc(at=at))
        return str(self.phone.call("put", db="me", doc=doc)["rev"])

    def delete(self, doc_id: str) -> str:
        return str(self.phone.call("remove", db="me", id=doc_id)["rev"])

    def push(self) -> None:
        pushed = self.phone.call("push", db="me")
        assert pushed["doc_write_failures"] == 0, pushed

    def pull(self) -> None:
        self.phone.call("pull", db="me")

    def receipt(self, doc_id: str) -> Doc:
        return self.get(f"receipt:{doc_id}")


@dataclass
class PhonePair:
    """Phones `a` and `b` of one engineer, the gateway they sync through and the worker."""

    services: Services
    url: str
    a: Device
    b: Device
    tokens: dict[str, str]

    @property
    def db(self) -> str:
        return engineer_db_name(self.services.settings.db_prefix, ENGINEER)

    @property
    def devices(self) -> tuple[Device, Device]:
        return self.a, self.b

    def share(self, doc: Doc) -> None:
        """`a` writes the document and syncs; the worker accepts it; `b` pulls it."""
        self.a.phone.call("put", db="me", doc=doc)
        self.a.push()
        self.work()
        self.pull()
        assert self.b.get(doc["_id"])["_rev"] == self.a.get(doc["_id"])["_rev"]
        assert self.a.receipt(doc["_id"])["status"] == "accepted", self.a.receipt(doc["_id"])

    def sync(self) -> None:
        """Both phones push, the worker runs, both phones pull."""
        self.a.push()
        self.b.push()
        self.work()
        self.pull()

    def pull(self) -> None:
        self.a.pull()
        self.b.pull()

    def work(self) -> None:
        self.services.worker().run_until_idle()

    def stored(self, doc_id: str) -> Doc:
        return self.services.store.get_doc(self.db, doc_id, conflicts=True)

    def leaves(self, doc_id: str) -> list[Doc]:
        return self.services.store.open_revs(self.db, doc_id)

    def status(self, doc_id: str) -> DocumentStatus:
        """The worker's record of the revision it materialised into SQL."""
        with self.services.sessions() as session:
            row = session.scalar(select(DocumentStatus).where(
                DocumentStatus.db_name == self.db, DocumentStatus.doc_id == doc_id))
            assert row is not None, doc_id
            session.expunge(row)
            return row

    def api(self, method: str, path: str, user: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **kwargs,
                                headers={"Authorization": f"Bearer {self.tokens[user]}"})

    def queued(self, doc_id: str) -> Doc:
        """The one open conflict of this document, as the admin console lists it."""
        listed = self.api("GET", "/api/v1/conflicts", ADMIN).json()["items"]
        found = [c for c in listed if c["doc_id"] == doc_id]
        assert len(found) == 1, listed
        return dict(found[0])


def token(services: Services, username: str) -> str:
    """An access token as a login issues it (logins are tested with the accounts)."""
    found = services.accounts.repo.find_user(username)
    assert found is not None, username
    principal = found[0]
    return services.accounts.signer.issue(principal.user_id, principal.username,
                                          principal.role.value, datetime.now(UTC))


@contextmanager
def phone_pair(services: Services) -> Iterator[PhonePair]:
    """Demo master data, the engineer, an admin and a head of her team, two phones."""
    load_master_data(services)
    for name, role in ((ENGINEER, "engineer"), (ADMIN, "admin"), (HEAD, "head")):
        create_user(services.sessions, services.store, services.settings, name, PASSWORD, role,
                    team=None if role == "admin" else "South",
                    territory="blr" if role == "engineer" else None)
    with ExitStack() as stack:
        live = stack.enter_context(LiveServer(services))
        tokens = {name: token(services, name) for name in (ENGINEER, ADMIN, HEAD)}
        a, b = (Device(name, stack.enter_context(Phone(live.url, tokens[ENGINEER])))
                for name in ("phone-a", "phone-b"))
        yield PhonePair(services, live.url, a, b, tokens)
