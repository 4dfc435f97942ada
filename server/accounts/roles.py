"""Roles and the principal a valid access token stands for (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from server.accounts.errors import PermissionDeniedError


class Role(StrEnum):
    """What a user may do: engineers sell from a phone, heads approve, admins manage."""

    ENGINEER = "engineer"
    HEAD = "head"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The signed-in user behind a request."""

    user_id: int
    username: str
    role: Role
    team_id: int | None = None
    territory_code: str | None = None
    discount_limit_pct: Decimal = Decimal("0")
    extra_territories: tuple[str, ...] = ()  # allowed by an admin besides territory_code

    @property
    def is_engineer(self) -> bool:
        return self.role is Role.ENGINEER


def require_role(principal: Principal, *allowed: Role) -> Principal:
    """Return the principal when its role is one of `allowed`, else refuse."""
    if allowed and principal.role not in allowed:
        names = ", ".join(r.value for r in allowed)
        raise PermissionDeniedError(
            f"this needs the role {names}; {principal.username} is {principal.role.value}")
    return principal


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        from server.accounts.errors import InvalidUserInputError

        raise InvalidUserInputError(
            f"role {value!r} is unknown: use engineer, head or admin") from None
