"""Accounts in SQL: users, teams, refresh tokens and the login log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from server.accounts import throttle
from server.accounts.roles import Principal, Role
from server.accounts.throttle import LoginHistory
from server.sales.masterdata import territory_code
from server.sql.models.accounts import LoginEvent, RefreshToken, Team, User
from server.sql.models.master import Territory
from server.sql.session import transaction


class StoredUser(NamedTuple):
    """A user as the account service sees it: who, the password hash, and token state."""

    principal: Principal
    password_hash: str
    active: bool
    token_version: int


class AccountsRepository(Protocol):
    """What the account service needs from storage."""

    def find_user(self, username: str) -> StoredUser | None: ...
    def user(self, user_id: int) -> StoredUser | None: ...
    def add_user(self, username: str, password_hash: str, role: Role, team: str | None,
                 territory: str | None, discount_limit_pct: Decimal, full_name: str
                 ) -> Principal: ...
    def set_password(self, username: str, password_hash: str, now: datetime) -> bool: ...
    def deactivate(self, username: str, now: datetime) -> bool: ...
    def record(self, kind: str, username: str, user_id: int | None, address: str,
               user_agent: str, reason: str, at: datetime) -> None: ...
    def login_history(self, username: str, address: str, now: datetime) -> LoginHistory: ...
    def save_refresh(self, token_hash: str, user_id: int, token_version: int, issued: datetime,
                     expires: datetime) -> None: ...
    def take_refresh(self, token_hash: str, now: datetime) -> tuple[int, int, datetime] | None:
        ...


def _principal(user: User) -> Principal:
    return Principal(user.id, user.username, Role(user.role), user.team_id,
                     user.territory_code, user.discount_limit_pct,
                     tuple(user.extra_territories))


class SqlAccounts:
    """The SQLAlchemy implementation (SQLite and PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def find_user(self, username: str) -> StoredUser | None:
        with self.sessions() as s:
            return _stored(s.scalar(select(User).where(User.username == username)))

    def user(self, user_id: int) -> StoredUser | None:
        with self.sessions() as s:
            return _stored(s.get(User, user_id))

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

    def set_password(self, username: str, password_hash: str, now: datetime) -> bool:
        """Store a new hash and revoke every token of the user; False: no such user."""
        return self._revoking(username, now, password_hash=password_hash)

    def deactivate(self, username: str, now: datetime) -> bool:
        """Stop a user signing in and revoke every token; False: no such user."""
        return self._revoking(username, now, active=False)

    def _revoking(self, username: str, now: datetime, **values: object) -> bool:
        # One transaction: the new version and the revoked refresh tokens land together.
        with transaction(self.sessions) as s:
            user_id = s.scalar(update(User).where(User.username == username).values(
                token_version=User.token_version + 1, **values).returning(User.id))
            if user_id is None:
                return False
            s.execute(update(RefreshToken).where(RefreshToken.user_id == user_id,
                                                 RefreshToken.revoked_at.is_(None))
                      .values(revoked_at=now))
            return True

    def record(self, kind: str, username: str, user_id: int | None, address: str,
               user_agent: str, reason: str, at: datetime) -> None:
        with transaction(self.sessions) as s:
            s.add(LoginEvent(kind=kind, username=username[:64], user_id=user_id,
                             address=address[:64], user_agent=user_agent[:300], reason=reason,
                             at=at))

    def login_history(self, username: str, address: str, now: datetime) -> LoginHistory:
        """The failures and sign-ins the throttle weighs; state in SQL, shared by processes."""
        since = now - throttle.WINDOW
        with self.sessions() as s:
            for_user = [(_aware(at, now), where) for at, where in s.execute(
                select(LoginEvent.at, LoginEvent.address).where(
                    LoginEvent.username == username, LoginEvent.kind == "failed",
                    LoginEvent.at > since))]
            if not address:
                return LoginHistory(for_user=[at for at, _ in for_user])
            from_address = [_aware(at, now) for at in s.scalars(select(LoginEvent.at).where(
                LoginEvent.address == address, LoginEvent.kind == "failed",
                LoginEvent.at > since))]
            signed_in = {kind: _aware(at, now) for kind, at in s.execute(
                select(LoginEvent.kind, func.max(LoginEvent.at)).where(
                    LoginEvent.username == username, LoginEvent.address == address,
                    LoginEvent.kind.in_(("login", "refresh"))).group_by(LoginEvent.kind))}
        last_login = signed_in.get("login", since)
        return LoginHistory(
            from_address=from_address, for_user=[at for at, _ in for_user],
            for_user_at_address=[at for at, where in for_user
                                 if where == address and at > last_login],
            known_address=any(at > now - throttle.KNOWN_ADDRESS_FOR
                              for at in signed_in.values()))

    def save_refresh(self, token_hash: str, user_id: int, token_version: int, issued: datetime,
                     expires: datetime) -> None:
        with transaction(self.sessions) as s:
            s.add(RefreshToken(token_hash=token_hash, user_id=user_id, issued_at=issued,
                               expires_at=expires, token_version=token_version))

    def take_refresh(self, token_hash: str, now: datetime) -> tuple[int, int, datetime] | None:
        """Revoke a live refresh token; (user id, token version, expiry), None if not live."""
        with transaction(self.sessions) as s:
            row = s.get(RefreshToken, token_hash, with_for_update=True)
            if row is None or row.revoked_at is not None:
                return None
            row.revoked_at = now
            return row.user_id, row.token_version, _aware(row.expires_at, now)


def _stored(user: User | None) -> StoredUser | None:
    if user is None:
        return None
    return StoredUser(_principal(user), user.password_hash, user.active, user.token_version)


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
