"""Accounts: no way in but passwords of one's own, no session outliving a password change, no
password spraying, no usernames on /metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from server.accounts.errors import InvalidCredentialsError, LoginThrottledError
from server.accounts.service import AccountService, ClientInfo, create_user
from server.app import create_app
from server.bootstrap import Services, bootstrap
from server.cli import main
from server.config import Settings
from server.demo import DEMO_USERS
from server.startup_checks import demo_password_refusal
from tests.support.gateway_docs import todo

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
METRICS_TOKEN = "metrics-token-for-tests-0123456789"


def cli(settings: Settings, *args: str, stdin: str = "") -> Result:
    """`fieldsync …` as an operator runs it, against this test's SQL and store."""
    env = {"FIELDSYNC_VAR_DIR": str(settings.var_dir),
           "FIELDSYNC_DATABASE_URL": settings.database_url,
           "FIELDSYNC_STORE_URL": settings.store_url,
           "FIELDSYNC_STORE_USERNAME": settings.store_username,
           "FIELDSYNC_STORE_PASSWORD": settings.store_password,
           "FIELDSYNC_DB_PREFIX": settings.db_prefix,
           "FIELDSYNC_JWT_SECRET": settings.jwt_secret}
    return CliRunner().invoke(main, list(args), input=stdin, env=env)


def add(services: Services, username: str, role: str, password: str = PASSWORD) -> None:
    create_user(services.sessions, services.store, services.settings, username, password, role,
                team="south", territory="KA" if role == "engineer" else None)


def login(client: FlaskClient, username: str, password: str = PASSWORD,
          address: str = "127.0.0.1") -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed_out(client: FlaskClient, tokens: dict[str, Any]) -> bool:
    """Neither the access token nor the refresh token of a sign-in works any more."""
    time.sleep(AccountService.ACTIVE_CACHE_S)  # every process notices within this
    me = client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    renewed = client.post("/api/v1/auth/refresh",
                          json={"refresh_token": tokens["refresh_token"]})
    return me.status_code == 401 and renewed.status_code == 401


@pytest.fixture
def client(services: Services) -> Iterator[FlaskClient]:
    with create_app(services=services).test_client() as c:
        yield c


# --- the first admin, and passwords of one's own ----------------------------------------------

def test_cli_creates_a_user_who_can_log_in(settings: Settings, services: Services,
                                           client: FlaskClient) -> None:
    made = cli(settings, "user", "create", "zara", "--role", "admin",
               stdin=f"{PASSWORD}\n{PASSWORD}\n")  # asked twice, never on the command line
    assert made.exit_code == 0, made.output
    assert login(client, "zara").status_code == 200
    piped = cli(settings, "user", "create", "kiran", "--role", "engineer", "--territory", "KA",
                "--password-stdin", stdin=f"{PASSWORD}\n")
    assert piped.exit_code == 0, piped.output
    assert login(client, "kiran").json["user"]["territory_code"] == "KA"
    in_argv = cli(settings, "user", "create", "omar", "--role", "admin", "--password", PASSWORD)
    assert in_argv.exit_code == 2 and "No such option" in in_argv.output


@pytest.mark.parametrize("username,password,reason", [
    ("devika", "short", "at least 8 characters"),
    ("devika", "x" * 257, "at most 256 characters"),
    ("devika-kumar", "Devika-Kumar", "may not be the username")])
def test_cli_refuses_weak_passwords_with_the_reason(settings: Settings, services: Services,
                                                    username: str, password: str,
                                                    reason: str) -> None:
    made = cli(settings, "user", "create", username, "--role", "head", "--password-stdin",
               stdin=f"{password}\n")
    assert made.exit_code == 1 and reason in made.output
    assert services.accounts.repo.find_user(username) is None


def test_set_password_from_the_cli_ends_every_sign_in(settings: Settings, services: Services,
                                                      client: FlaskClient) -> None:
    add(services, "asha", "engineer")
    phone, laptop = login(client, "asha").json, login(client, "asha").json
    assert client.get("/api/v1/auth/me", headers=bearer(phone["access_token"])).status_code == 200
    changed = cli(settings, "user", "set-password", "asha", "--password-stdin",
                  stdin=f"{NEW_PASSWORD}\n")
    assert changed.exit_code == 0, changed.output
    assert signed_out(client, phone) and signed_out(client, laptop)
    assert login(client, "asha").status_code == 401
    assert login(client, "asha", NEW_PASSWORD).status_code == 200
    unknown = cli(settings, "user", "set-password", "nobody", "--password-stdin",
                  stdin=f"{NEW_PASSWORD}\n")
    assert unknown.exit_code == 1 and "'nobody' was not found" in unknown.output


def test_deactivate_from_the_cli_ends_every_sign_in(settings: Settings, services: Services,
                                                    client: FlaskClient) -> None:
    add(services, "ravi", "engineer")
    tokens = login(client, "ravi").json
    assert cli(settings, "user", "deactivate", "ravi").exit_code == 0
    assert signed_out(client, tokens)
    assert login(client, "ravi").status_code == 401


def test_an_admin_resets_anyones_password(services: Services, client: FlaskClient) -> None:
    add(services, "adam", "admin")
    add(services, "hema", "head")
    add(services, "asha", "engineer")
    admin = bearer(login(client, "adam").json["access_token"])
    asha = login(client, "asha").json
    url = "/api/v1/users/asha/password"
    reset = client.put(url, headers=admin, json={"password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert signed_out(client, asha)
    assert login(client, "asha", NEW_PASSWORD).status_code == 200
    head = bearer(login(client, "hema").json["access_token"])
    assert client.put(url, headers=head, json={"password": PASSWORD}).status_code == 403
    short = client.put(url, headers=admin, json={"password": "short"})
    assert short.status_code == 400
    assert short.json["message"] == "the password needs at least 8 characters"
    missing = client.put("/api/v1/users/nobody/password", headers=admin,
                         json={"password": NEW_PASSWORD})
    assert missing.status_code == 404
    own = client.put("/api/v1/users/adam/password", headers=admin, json={"password": NEW_PASSWORD})
    assert own.status_code == 409 and "/api/v1/auth/password" in own.json["message"]


def test_password_equal_to_the_username_is_refused(services: Services,
                                                    client: FlaskClient) -> None:
    add(services, "adam", "admin")
    add(services, "priyanka", "engineer")
    admin = bearer(login(client, "adam").json["access_token"])
    bad = client.put("/api/v1/users/priyanka/password", headers=admin,
                     json={"password": "Priyanka"})
    assert bad.status_code == 400 and bad.json["message"] == "the password may not be the username"
    created = client.post("/api/v1/users", headers=admin, json={
        "username": "kamala", "password": "kamala", "role": "engineer"})
    assert created.status_code == 400 and "at least 8" in created.json["message"]


def test_changing_ones_own_password_needs_the_current_one(services: Services,
                                                           client: FlaskClient) -> None:
    add(services, "asha", "engineer")
    other_device = login(client, "asha").json
    here = login(client, "asha").json
    url = "/api/v1/auth/password"
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    assert client.post(url, json=body).status_code == 401  # signed in, or nothing
    wrong = client.post(url, headers=bearer(here["access_token"]), json=body)
    assert wrong.status_code == 403 and "current password" in wrong.json["message"]
    weak = client.post(url, headers=bearer(here["access_token"]),
                       json={"current_password": PASSWORD, "new_password": "asha"})
    assert weak.status_code == 400 and "at least 8" in weak.json["message"]
    assert login(client, "asha").status_code == 200  # nothing changed so far
    done = client.post(url, headers=bearer(here["access_token"]),
                       json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json["user"]["username"] == "asha"
    assert signed_out(client, other_device) and signed_out(client, here)
    fresh = client.get("/api/v1/auth/me", headers=bearer(done.json["access_token"]))
    assert fresh.status_code == 200  # the device that changed it stays signed in
    assert login(client, "asha").status_code == 401
    assert login(client, "asha", NEW_PASSWORD).status_code == 200


# --- demo passwords never reach production --------------------------------------------------

def demo_password(username: str) -> str:
    return next(password for name, password, *_ in DEMO_USERS if name == username)


def test_serve_refuses_demo_passwords_with_an_external_store(settings: Settings,
                                                             services: Services) -> None:
    add(services, "admin", "admin", demo_password("admin"))
    add(services, "priya", "head", demo_password("priya"))
    add(services, "zara", "admin")
    refusal = demo_password_refusal(settings)
    assert refusal is not None and "admin, priya" in refusal and "zara" not in refusal
    assert "fieldsync user set-password admin" in refusal
    served = cli(settings, "serve")
    assert served.exit_code == 1
    assert "fieldsync user set-password priya" in served.output
    assert cli(settings, "user", "set-password", "admin", "--password-stdin",
               stdin=f"{NEW_PASSWORD}\n").exit_code == 0
    assert "priya" in (demo_password_refusal(settings) or "")
    assert cli(settings, "user", "deactivate", "priya").exit_code == 0
    assert demo_password_refusal(settings) is None


def test_serve_refuses_when_it_cannot_check_for_demo_passwords(tmp_path: Path) -> None:
    unreachable = Settings(var_dir=tmp_path, store_url="http://127.0.0.1:9",
                           database_url="postgresql://nobody@127.0.0.1:9/fieldsync")
    served = cli(unreachable, "serve")
    assert served.exit_code == 1
    assert "could not check its users for demo passwords: OperationalError" in served.output


def test_the_embedded_store_of_fieldsync_run_keeps_the_demo_logins(settings: Settings,
                                                                   services: Services) -> None:
    add(services, "admin", "admin", demo_password("admin"))
    announced = settings.var_dir / "store" / "endpoint.json"
    announced.parent.mkdir(parents=True)
    announced.write_text(json.dumps({"url": settings.store_url}))
    assert demo_password_refusal(settings) is None
    assert demo_password_refusal(settings.with_overrides(store_url="http://couch.example:5984"))


# --- login throttling --------------------------------------------------------------------------

def test_spraying_from_one_address_is_throttled_despite_a_success(services: Services,
                                                                   client: FlaskClient) -> None:
    add(services, "mallory", "engineer")  # the sprayer's own account
    frozen = services.accounts.clock()  # waits of a second: a slow machine must not outwait them
    services.accounts.clock = lambda: frozen
    sprayer = "203.0.113.7"
    for i in range(19):
        assert login(client, f"user{i}", "Winter2026!", sprayer).status_code == 401
    assert login(client, "mallory", PASSWORD, sprayer).status_code == 200  # resets nothing
    assert login(client, "user19", "Winter2026!", sprayer).status_code == 401  # the 20th
    throttled = login(client, "user20", "Winter2026!", sprayer)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert "wait 1 s" in throttled.json["message"]
    assert login(client, "mallory", PASSWORD, sprayer).status_code == 429  # the address waits
    assert login(client, "mallory", PASSWORD, "198.51.100.9").status_code == 200


class Clock:
    """A clock the test moves forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def guess(svc: AccountService, clock: Clock, username: str, client: ClientInfo) -> None:
    """One wrong password, after whatever wait the throttle asks for."""
    while True:
        try:
            svc.login(username, "a wrong guess", client)
        except LoginThrottledError as waited:
            clock.now += timedelta(seconds=waited.retry_after_s)
        except InvalidCredentialsError:
            return


def test_the_owner_gets_in_with_the_right_password_after_the_wait(services: Services) -> None:
    add(services, "asha", "engineer")
    svc = services.accounts
    clock = Clock(svc.clock())
    svc.clock = clock
    office = ClientInfo("10.20.0.5")
    svc.login("asha", PASSWORD, office)  # her usual place
    for i in range(8):  # someone guesses her password from many addresses, as fast as allowed
        guess(svc, clock, "asha", ClientInfo(f"192.0.2.{i}"))
    with pytest.raises(LoginThrottledError):
        svc.login("asha", PASSWORD, ClientInfo("192.0.2.99"))
    assert svc.login("asha", PASSWORD, office).principal.username == "asha"
    hotel = ClientInfo("100.64.3.3")
    with pytest.raises(LoginThrottledError) as waited:
        svc.login("asha", PASSWORD, hotel)  # slowed down where she never signed in
    clock.now += timedelta(seconds=waited.value.retry_after_s)
    assert svc.login("asha", PASSWORD, hotel).principal.username == "asha"


def test_the_owners_own_typos_slow_down_then_let_her_in(services: Services) -> None:
    add(services, "asha", "engineer")
    svc = services.accounts
    clock = Clock(svc.clock())
    svc.clock = clock
    phone = ClientInfo("10.20.0.5")
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            svc.login("asha", "asha's old password", phone)
    with pytest.raises(LoginThrottledError) as waited:
        svc.login("asha", PASSWORD, phone)
    assert waited.value.retry_after_s == 1
    clock.now += timedelta(seconds=1)
    assert svc.login("asha", PASSWORD, phone).principal.username == "asha"


# --- /metrics ------------------------------------------------------------------------------------

def test_metrics_need_the_token_and_name_nobody(settings: Settings, services: Services) -> None:
    add(services, "zubaida", "engineer")
    guarded = bootstrap(settings.with_overrides(metrics_token=METRICS_TOKEN))
    try:
        c = create_app(services=guarded).test_client()
        tokens = login(c, "zubaida").json
        pushed = c.post("/sync/me/_bulk_docs", headers=bearer(tokens["access_token"]),
                        json={"docs": [dict(todo("zubaida", "t1"), _rev="1-aaa")],
                              "new_edits": False})
        assert pushed.status_code == 201
        assert services.worker().run_until_idle() >= 1
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers=bearer("not-the-token")).status_code == 401
        answer = c.get("/metrics", headers=bearer(METRICS_TOKEN))
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        assert 'fieldsync_documents_processed_total{doc_type="todo",status="accepted"}' in text
        assert "zubaida" not in text
    finally:
        guarded.close()


def test_metrics_without_a_token_answer_only_this_machine(services: Services,
                                                          client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 200  # 127.0.0.1
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert outside.status_code == 403 and "FIELDSYNC_METRICS_TOKEN" in outside.json["message"]
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"})
    assert relayed.status_code == 403
