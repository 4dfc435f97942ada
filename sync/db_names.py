"""The names of FieldSync's store databases (pure): the gateway routes phones by them, the
worker and provisioning create and follow them."""

from __future__ import annotations

import re

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class ProvisioningError(ValueError):
    """A username that cannot name a database."""


def engineer_db_name(prefix: str, username: str) -> str:
    """The store database of one engineer: `<prefix>eng-<username>`."""
    if not USERNAME_PATTERN.match(username):
        raise ProvisioningError(
            f"username {username!r} must be 2-40 characters: a lowercase letter, then lowercase "
            "letters, digits, '_' or '-'"
        )
    return f"{prefix}eng-{username}"


def catalog_db_name(prefix: str) -> str:
    """Products and price lists, read-only for every phone."""
    return f"{prefix}catalog"


def customers_db_name(prefix: str, territory_code: str) -> str:
    """The customers of one territory, read-only for the phones of that territory."""
    return f"{prefix}customers-{territory_code.lower()}"


def allowed_customers_db_name(prefix: str, username: str) -> str:
    """The customers of an engineer's own and extra territories, for an engineer an admin
    allowed other territories ('_' never appears in a territory code: no clash)."""
    return f"{prefix}customers_for_{engineer_db_name('', username).removeprefix('eng-')}"
