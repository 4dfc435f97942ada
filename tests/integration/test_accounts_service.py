"""Accounts against real SQL and store: users, login, refresh, logout, the log and the throttle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from server.accounts.errors import (
    InvalidCredentialsError,
    InvalidTokenError,
    InvalidUserInputError,
    LoginThrottledError,
    UserExistsError,
)
from server.accounts.roles import Role
from server.accounts.service import ClientInfo, create_user
from server.accounts.web import current_principal, requires_role
from server.app import create_app
from server.bootstrap import Services
from server.sql.models.accounts import LoginEvent, User
from sync.provisioning import engineer_databases

PASSWORD = "correct horse battery"
HERE = ClientInfo("10.1.2.3", "pytest")


def events(services: Services) -> list[tuple[str, str]]:
    with services.sessions() as s:
        return [(e.kind, e.username) for e in s.scalars(select(LoginEvent).order_by(LoginEvent.id))]


def test_create_user_provisions_engineers_only(services: Services) -> None:
    asha = create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                       "engineer", team="south", territory="KA", discount_limit_pct="7.5")
    create_user(services.sessions, services.store, services.settings, "hema", PASSWORD, "head",
                team="south")
    assert asha.role is Role.ENGINEER and asha.territory_code == "KA"
    assert asha.discount_limit_pct == Decimal("7.50")
    prefix = services.settings.db_prefix
    assert engineer_databases(services.sessions) == [f"{prefix}eng-asha"]
    assert f"{prefix}eng-asha" in services.store.all_dbs()
    with services.sessions() as s:
        user = s.scalar(select(User).where(User.username == "asha"))
        assert user is not None and PASSWORD not in user.password_hash


@pytest.mark.parametrize("kwargs,error", [
    ({"username": "Asha"}, InvalidUserInputError), ({"password": "short"}, InvalidUserInputError),
    ({"role": "king"}, InvalidUserInputError),
    ({"discount_limit_pct": "150"}, InvalidUserInputError),
    ({"discount_limit_pct": "lots"}, InvalidUserInputError),
])
def test_create_user_explains_bad_input(services: Services, kwargs: dict[str, str],
                                        error: type[Exception]) -> None:
    args = {"username": "asha", "password": PASSWORD, "role": "engineer", **kwargs}
    with pytest.raises(error):
        create_user(services.sessions, services.store, services.settings, args.pop("username"),
                    args.pop("password"), args.pop("role"), **args)


def test_usernames_are_unique(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD, "admin")
    with pytest.raises(UserExistsError):
        create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                    "admin")


def test_login_refresh_logout_are_recorded(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    svc = services.accounts
    with pytest.raises(InvalidCredentialsError):
        svc.login("asha", "wrong password", HERE)
    with pytest.raises(InvalidCredentialsError):
        svc.login("nobody", PASSWORD, HERE)
    pair = svc.login("asha", PASSWORD, HERE)
    assert svc.authenticate(pair.access_token).username == "asha"
    renewed = svc.refresh(pair.refresh_token, HERE)
    with pytest.raises(InvalidTokenError):
        svc.refresh(pair.refresh_token, HERE)  # a refresh token works once
    svc.logout(renewed.refresh_token, HERE)
    with pytest.raises(InvalidTokenError):
        svc.refresh(renewed.refresh_token, HERE)
    assert events(services) == [("failed", "asha"), ("failed", "nobody"), ("login", "asha"),
                                ("refresh", "asha"), ("logout", "asha")]


def test_expired_refresh_token_is_refused(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    svc = services.accounts
    pair = svc.login("asha", PASSWORD, HERE)
    later = svc.clock() + timedelta(seconds=services.settings.refresh_token_ttl_s + 1)
    svc.clock = lambda: later
    with pytest.raises(InvalidTokenError, match="expired"):
        svc.refresh(pair.refresh_token, HERE)


def test_failed_logins_are_throttled_per_user(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    svc = services.accounts
    frozen = svc.clock()  # the waits are seconds long: a slow machine must not outwait them
    svc.clock = lambda: frozen
    for i in range(5):
        with pytest.raises(InvalidCredentialsError):
            svc.login("asha", "wrong password", ClientInfo(f"10.0.0.{i}"))
    with pytest.raises(LoginThrottledError) as caught:
        svc.login("asha", PASSWORD, ClientInfo("10.9.9.9"))
    assert caught.value.retry_after_s >= 1
    later = svc.clock() + timedelta(seconds=caught.value.retry_after_s + 1)
    svc.clock = lambda: later
    assert svc.login("asha", PASSWORD, HERE).principal.username == "asha"


def test_failed_logins_are_throttled_per_address(services: Services) -> None:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    svc = services.accounts
    frozen = svc.clock()
    svc.clock = lambda: frozen
    for i in range(20):
        with pytest.raises(InvalidCredentialsError):
            svc.login(f"guess{i}", "wrong password", HERE)
    with pytest.raises(LoginThrottledError):
        svc.login("asha", PASSWORD, HERE)
    assert svc.login("asha", PASSWORD, ClientInfo("10.7.7.7")).principal.username == "asha"


@pytest.fixture
def app(services: Services) -> Iterator[Flask]:
    create_user(services.sessions, services.store, services.settings, "asha", PASSWORD,
                "engineer")
    create_user(services.sessions, services.store, services.settings, "adam", PASSWORD, "admin")
    flask_app = create_app(services=services)

    @flask_app.get("/test-only/admin")
    @requires_role(Role.ADMIN)
    def admin_only() -> dict[str, str]:
        return {"user": current_principal().username}

    yield flask_app


def test_auth_endpoints_and_role_helper(app: Flask) -> None:
    c: FlaskClient = app.test_client()
    bad = c.post("/api/v1/auth/login", json={"username": "asha", "password": "nope-nope"})
    assert bad.status_code == 401 and bad.json["message"]
    assert c.post("/api/v1/auth/login", json={"username": "asha"}).status_code == 422
    assert c.post("/api/v1/auth/login", data="{oops",
                  content_type="application/json").status_code == 400
    body = c.post("/api/v1/auth/login", json={"username": "asha", "password": PASSWORD}).json
    assert body["token_type"] == "Bearer" and body["user"]["role"] == "engineer"
    me = c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json["username"] == "asha"
    assert c.get("/api/v1/auth/me").status_code == 401
    asha = {"Authorization": f"Bearer {body['access_token']}"}
    assert c.get("/test-only/admin", headers=asha).status_code == 403
    admin = c.post("/api/v1/auth/login", json={"username": "adam", "password": PASSWORD}).json
    r = c.get("/test-only/admin", headers={"Authorization": f"Bearer {admin['access_token']}"})
    assert r.status_code == 200 and r.json == {"user": "adam"}
    fresh = c.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert fresh.status_code == 200
    assert c.post("/api/v1/auth/logout",
                  json={"refresh_token": fresh.json["refresh_token"]}).status_code == 204
    again = c.post("/api/v1/auth/refresh", json={"refresh_token": fresh.json["refresh_token"]})
    assert again.status_code == 401


def test_throttled_login_answers_429_with_retry_after(app: Flask, services: Services) -> None:
    frozen = services.accounts.clock()
    services.accounts.clock = lambda: frozen
    c = app.test_client()
    for _ in range(5):
        c.post("/api/v1/auth/login", json={"username": "asha", "password": "wrong-wrong"})
    r = c.post("/api/v1/auth/login", json={"username": "asha", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
