"""The account use cases: create users, log in, refresh, log out, resolve access tokens, set
and change passwords, deactivate."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.accounts import passwords, throttle, tokens
from server.accounts.errors import (
    CurrentPasswordError,
    InvalidCredentialsError,
    InvalidTokenError,
    InvalidUserInputError,
    LoginThrottledError,
    UserExistsError,
    UserNotFoundError,
)
from server.accounts.repository import AccountsRepository, SqlAccounts, StoredUser
from server.accounts.roles import Principal, Role, parse_role
from server.accounts.secret import load_or_create_secret
from server.config import Settings
from server.sales.masterdata import territory_code
from server.sql.models.accounts import ExtraTerritory, User
from server.sql.models.master import Territory
from server.sql.session import transaction
from sync.provisioning import USERNAME_PATTERN, provision_engineer
from sync.store import DocumentStore

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TokenPair:
    """What a login or a refresh hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    principal: Principal


@dataclass(frozen=True)
class ClientInfo:
    """Where a login attempt came from, for the log and the per-address throttle."""

    address: str = ""
    user_agent: str = ""


class AccountService:
    """Sign-in and token checks; one per process, safe to share between requests."""

    # A deactivation or password change takes effect within this many seconds on every process.
    ACTIVE_CACHE_S = 1.0

    def __init__(self, repo: AccountsRepository, signer: tokens.TokenSigner,
                 refresh_ttl: timedelta, *, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.signer = signer
        self.refresh_ttl = refresh_ttl
        self.clock = clock
        self._active: dict[int, tuple[float, tuple[Principal, int] | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, sessions: sessionmaker[Session],
                      *, clock: Clock = utcnow) -> AccountService:
        secret = load_or_create_secret(settings.jwt_secret, settings.var_dir)
        signer = tokens.TokenSigner(secret, timedelta(seconds=settings.access_token_ttl_s))
        return cls(SqlAccounts(sessions), signer,
                   timedelta(seconds=settings.refresh_token_ttl_s), clock=clock)

    def login(self, username: str, password: str, client: ClientInfo) -> TokenPair:
        now = self.clock()
        self._check_throttle(username, client, now)
        found = self.repo.find_user(username)
        ok = passwords.verify_password(found.password_hash if found else None, password)
        if not (found and ok and found.active):
            reason = "inactive user" if found and ok else "wrong username or password"
            # Stamped when answered: a slow password check must not use up the next wait.
            self.repo.record("failed", username, found.principal.user_id if found else None,
                             client.address, client.user_agent, reason, self.clock())
            raise InvalidCredentialsError("wrong username or password, or the account is disabled")
        self.repo.record("login", username, found.principal.user_id, client.address,
                         client.user_agent, "", now)
        return self._issue(found, now)

    def refresh(self, refresh_token: str, client: ClientInfo) -> TokenPair:
        now = self.clock()
        taken = self.repo.take_refresh(tokens.refresh_token_hash(refresh_token), now)
        if taken is None or taken[2] <= now:
            raise InvalidTokenError("the refresh token is unknown, used or expired: sign in again")
        user = self.repo.user(taken[0])
        if user is None or not user.active:
            raise InvalidTokenError("the account is disabled")
        if user.token_version != taken[1]:
            raise InvalidTokenError("the password has changed since this sign-in: sign in again")
        self.repo.record("refresh", user.principal.username, taken[0], client.address,
                         client.user_agent, "", now)
        return self._issue(user, now)

    def logout(self, refresh_token: str, client: ClientInfo) -> None:
        now = self.clock()
        taken = self.repo.take_refresh(tokens.refresh_token_hash(refresh_token), now)
        if taken is None:
            raise InvalidTokenError("the refresh token is unknown or already used")
        user = self.repo.user(taken[0])
        name = user.principal.username if user else ""
        self.repo.record("logout", name, taken[0], client.address, client.user_agent, "", now)

    def authenticate(self, access_token: str) -> Principal:
        """The active user an access token stands for, or InvalidTokenError."""
        claims = self.signer.verify(access_token, self.clock())
        current = self._current(claims.user_id)
        if current is None:
            raise InvalidTokenError("the account is disabled or no longer exists")
        if current[1] != claims.version:
            raise InvalidTokenError(
                "this sign-in ended when the password changed or the account was disabled: "
                "sign in again")
        return current[0]

    def set_password(self, username: str, password: str, *, by: str,
                     client: ClientInfo = ClientInfo()) -> None:
        """Set a user's password (an admin, the command line) and revoke all their tokens."""
        passwords.check_password_rules(password, username)
        now = self.clock()
        if not self.repo.set_password(username, passwords.hash_password(password), now):
            raise UserNotFoundError(f"user {username!r} was not found")
        self._active.clear()
        self.repo.record("password", username, None, client.address, client.user_agent,
                         f"set by {by}", now)

    def change_own_password(self, principal: Principal, current_password: str,
                            new_password: str, client: ClientInfo) -> TokenPair:
        """A user changes their own password, proving the current one; every other session of
        theirs ends and this one gets new tokens."""
        username = principal.username
        passwords.check_password_rules(new_password, username)
        now = self.clock()
        # The current password is a guess like a login's: the same throttle weighs it.
        self._check_throttle(username, client, now)
        found = self.repo.find_user(username)
        if found is None or not found.active:
            raise InvalidTokenError("the account is disabled")
        if not passwords.verify_password(found.password_hash, current_password):
            self.repo.record("failed", username, principal.user_id, client.address,
                             client.user_agent, "wrong current password", self.clock())
            raise CurrentPasswordError("the current password is not right")
        self.repo.set_password(username, passwords.hash_password(new_password), now)
        self._active.clear()
        self.repo.record("password", username, principal.user_id, client.address,
                         client.user_agent, "changed by the user", now)
        user = self.repo.user(principal.user_id)
        if user is None or not user.active:  # deactivated in the meantime
            raise InvalidTokenError("the account is disabled")
        return self._issue(user, now)

    def deactivate(self, username: str) -> bool:
        """Stop a user signing in and end every session of theirs; False: no such user."""
        done = self.repo.deactivate(username, self.clock())
        self._active.clear()
        return done

    def _current(self, user_id: int) -> tuple[Principal, int] | None:
        # A short cache: every replication request authenticates, most within a second.
        hit = self._active.get(user_id)
        if hit is not None and time.monotonic() - hit[0] < self.ACTIVE_CACHE_S:
            return hit[1]
        user = self.repo.user(user_id)
        current = (user.principal, user.token_version) if user and user.active else None
        if len(self._active) > 10_000:
            self._active.clear()
        self._active[user_id] = (time.monotonic(), current)
        return current

    def _issue(self, user: StoredUser, now: datetime) -> TokenPair:
        principal = user.principal
        refresh = tokens.new_refresh_token()
        self.repo.save_refresh(tokens.refresh_token_hash(refresh), principal.user_id,
                               user.token_version, now, now + self.refresh_ttl)
        access = self.signer.issue(principal.user_id, principal.username, principal.role.value,
                                   now, user.token_version)
        return TokenPair(access, refresh, int(self.signer.ttl.total_seconds()), principal)

    def _check_throttle(self, username: str, client: ClientInfo, now: datetime) -> None:
        wait = throttle.wait_s(self.repo.login_history(username, client.address, now), now)
        if wait > 0:
            self.repo.record("throttled", username, None, client.address, client.user_agent,
                             f"retry after {wait} s", now)
            raise LoginThrottledError(
                f"too many failed sign-ins: wait {wait} s before trying again", wait)


def create_user(sessions: sessionmaker[Session], store: DocumentStore, settings: Settings,
                username: str, password: str, role: str | Role, *, team: str | None = None,
                territory: str | None = None, discount_limit_pct: Decimal | str = "0",
                full_name: str = "") -> Principal:
    """Create a user (and an engineer's phone database); teams and territories by name/code."""
    checked = parse_role(role) if isinstance(role, str) else role
    limit = _discount_limit(discount_limit_pct)
    if not USERNAME_PATTERN.match(username):
        raise InvalidUserInputError(
            f"username {username!r} must be 2-40 characters: a lowercase letter, then "
            "lowercase letters, digits, '_' or '-'")
    passwords.check_password_rules(password, username)
    repo = SqlAccounts(sessions)
    if repo.find_user(username) is not None:
        raise UserExistsError(f"the username {username!r} is taken")
    principal = repo.add_user(username, passwords.hash_password(password), checked, team,
                              territory, limit, full_name)
    if checked is Role.ENGINEER:
        provision_engineer(store, sessions, settings.db_prefix, username)
    return principal


def _discount_limit(value: Decimal | str) -> Decimal:
    try:
        limit = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidUserInputError(f"discount limit {value!r} is not a number") from None
    if not (Decimal(0) <= limit <= Decimal(100)) or not limit.is_finite():
        raise InvalidUserInputError("the discount limit is a percentage from 0 to 100")
    return limit


MAX_EXTRA_TERRITORIES = 50


def allow_territories(sessions: sessionmaker[Session], username: str, codes: Iterable[str], *,
                      by: str, clock: Clock = utcnow) -> list[str]:
    """Set the territories besides their own where a user may sell (an admin's decision).

    The list replaces the previous one; the user's own territory is never listed twice.
    """
    wanted = sorted({territory_code(code) for code in codes if code.strip()})
    if len(wanted) > MAX_EXTRA_TERRITORIES:
        raise InvalidUserInputError(
            f"at most {MAX_EXTRA_TERRITORIES} extra territories; give the user another "
            "territory instead")
    with transaction(sessions) as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise UserNotFoundError(f"user {username!r} was not found")
        unknown = [code for code in wanted if s.get(Territory, code) is None]
        if unknown:
            raise InvalidUserInputError(
                f"territory {', '.join(unknown)} does not exist; create it first")
        wanted = [code for code in wanted if code != user.territory_code]
        kept = {grant.territory_code: grant for grant in user.extra_grants}
        user.extra_grants = [kept.get(code) or ExtraTerritory(
            territory_code=code, granted_by=by[:64], granted_at=clock()) for code in wanted]
        return list(wanted)
