"""Accounts in SQL: users, teams, refresh tokens and the login log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from server.accounts.roles import Principal, Role
from server.sales.masterdata import territory_code
from server.sql.models.accounts import LoginEvent, RefreshToken, Team, User
from server.sql.models.master import Territory
from server.sql.session import transaction


class AccountsRepository(Protocol):
    """What the account service needs from storage."""

    def find_user(self, username: str) -> tuple[Principal, str, bool] | None: ...
    def principal(self, user_id: int) -> Principal | None: ...
    def add_user(self, username: str, password_hash: str, role: Role, team: str | None,
                 territory: str | None, discount_limit_pct: Decimal, full_name: str
                 ) -> Principal: ...
    def set_active(self, username: str, active: bool) -> bool: ...
    def record(self, kind: str, username: str, user_id: int | None, address: str,
               user_agent: str, reason: str, at: datetime) -> None: ...
    def failures_since(self, *, username: str | None, address: str | None,
                       since: datetime) -> list[datetime]: ...
    def save_refresh(self, token_hash: str, user_id: int, issued: datetime,
                     expires: datetime) -> None: ...
    def take_refresh(self, token_hash: str, now: datetime) -> tuple[int, datetime] | None: ...


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, Role(user.role), user.team_id,
                     user.territory_code, user.discount_limit_pct)


class SqlAccounts:
    """The SQLAlchemy implementation (SQLite and PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def find_user(self, username: str) -> tuple[Principal, str, bool] | None:
        with self.sessions() as s:
            user = s.scalar(select(User).where(User.username == username))
            return None if user is None else (_principal(user), user.password_hash, user.active)

    def principal(self, user_id: int) -> Principal | None:
        with self.sessions() as s:
            user = s.get(User, user_id)
            return _principal(user) if user is not None and user.active else None

    def add_user(self, username: str, password_hash: str, role: Role, team: str | None,
                 territory: str | None, discount_limit_pct: Decimal, full_name: str
                 ) -> Principal:
        with transaction(self.sessions) as s:
            user = User(username=username, password_hash=password_hash, role=role.value,
                        team_id=_team_id(s, team) if team else None,
                        territory_code=_territory(s, territory) if territory else None,
                        discount_limit_pct=discount_limit_pct, full_name=full_name,
                        active=True)
            s.add(user)
            s.flush()
            return _principal(user)

    def set_active(self, username: str, active: bool) -> bool:
        with transaction(self.sessions) as s:
            done = s.execute(update(User).where(User.username == username).values(active=active))
            return bool(getattr(done, "rowcount", 0))

    def record(self, kind: str, username: str, user_id: int | None, address: str,
               user_agent: str, reason: str, at: datetime) -> None:
        with transaction(self.sessions) as s:
            s.add(LoginEvent(kind=kind, username=username[:64], user_id=user_id,
                             address=address[:64], user_agent=user_agent[:300], reason=reason,
                             at=at))

    def failures_since(self, *, username: str | None, address: str | None,
                       since: datetime) -> list[datetime]:
        """Failed logins after `since` and after the last successful login of that key."""
        with self.sessions() as s:
            key = (LoginEvent.username == username if username is not None
                   else LoginEvent.address == address)
            last_ok = s.scalar(select(LoginEvent.at).where(key, LoginEvent.kind == "login")
                               .order_by(LoginEvent.at.desc()).limit(1))
            floor = max(since, _aware(last_ok, since)) if last_ok else since
            rows: Sequence[datetime] = s.scalars(select(LoginEvent.at).where(
                key, LoginEvent.kind == "failed", LoginEvent.at > floor)).all()
            return [_aware(t, since) for t in rows]

    def save_refresh(self, token_hash: str, user_id: int, issued: datetime,
                     expires: datetime) -> None:
        with transaction(self.sessions) as s:
            s.add(RefreshToken(token_hash=token_hash, user_id=user_id, issued_at=issued,
                               expires_at=expires))

    def take_refresh(self, token_hash: str, now: datetime) -> tuple[int, datetime] | None:
        """Revoke a live refresh token and return (user id, expiry); None if not live."""
        with transaction(self.sessions) as s:
            row = s.get(RefreshToken, token_hash, with_for_update=True)
            if row is None or row.revoked_at is not None:
                return None
            row.revoked_at = now
            return row.user_id, _aware(row.expires_at, now)


def _aware(value: datetime, like: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)


def _team_id(s: Session, name: str) -> int:
    team = s.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        s.add(team)
        s.flush()
    return team.id


def _territory(s: Session, raw: str) -> str:
    # Users may be created before the ERP's master data arrives: name it by its code until then.
    code = territory_code(raw)
    if s.get(Territory, code) is None:
        s.add(Territory(code=code, name=code))
        s.flush()
    return code
