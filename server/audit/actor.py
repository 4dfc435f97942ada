"""Who is acting: set once at the edge (a request, the command line, a job), read by the recorder.

The REST layer sets the signed-in user for the whole view (`server.accounts.web.requires_role`);
the CLI sets the operating-system user; background jobs leave the default, `system`. A service
deep inside a use case records without being handed the actor through every signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who made a change, and from where (a device id from a phone, an address from the web)."""

    username: str
    role: str = ""
    address: str = ""
    device_id: str = ""


SYSTEM = Actor("system", "system")
_current: ContextVar[Actor] = ContextVar("fieldsync_audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    """The actor set by the nearest enclosing `acting_as`, else `SYSTEM`."""
    return _current.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Record every change made inside the block in `actor`'s name."""
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
