"""Engineers as the worker knows them: a users row with a discount limit.

The worker judges a customer approval against the engineer's limit, and an engineer without
one on record may give no discount without the head (discounts.NO_LIMIT_PCT), as every engineer
created through the API starts; tests whose offers carry discounts give theirs a limit here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.accounts import User
from server.sql.session import transaction

DEMO_LIMIT = Decimal(10)  # asha's limit in the demo, above the default offers' discounts


def add_engineers(sessions: sessionmaker[Session], usernames: Iterable[str],
                  limit: Decimal = DEMO_LIMIT) -> None:
    """Users rows for engineers who never sign in (their documents are written directly)."""
    with transaction(sessions) as s:
        s.add_all(User(username=name, password_hash="!", role="engineer",
                       discount_limit_pct=limit) for name in usernames)
