"""Passwords, tokens, roles and the login throttle, without SQL or sockets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from server.accounts import passwords, throttle, tokens
from server.accounts.errors import (
    InvalidTokenError,
    InvalidUserInputError,
    PermissionDeniedError,
)
from server.accounts.roles import Principal, Role, parse_role, require_role
from server.accounts.secret import load_or_create_secret

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
SECRET = "s" * 40


def test_password_hash_verifies_only_the_right_password() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "Correct horse battery")
    assert not passwords.verify_password(None, "correct horse battery")
    assert not passwords.verify_password("garbage", "x")


def test_short_passwords_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidUserInputError, match="at least 8"):
        passwords.hash_password("short")


def test_a_password_may_not_be_the_username() -> None:
    with pytest.raises(InvalidUserInputError, match="may not be the username"):
        passwords.check_password_rules("Priyanka", "priyanka")
    passwords.check_password_rules("priyanka's own words", "priyanka")


def test_access_tokens_carry_the_users_token_version() -> None:
    signer = tokens.TokenSigner(SECRET, timedelta(minutes=15))
    assert signer.verify(signer.issue(7, "asha", "engineer", NOW, 3), NOW).version == 3
    claims = {"iss": "fieldsync", "typ": "access", "sub": "7", "iat": int(NOW.timestamp()),
              "exp": int((NOW + timedelta(minutes=5)).timestamp())}
    older = jwt.encode(claims, SECRET, algorithm="HS256")
    assert signer.verify(older, NOW).version == 0  # issued before versions existed


def test_access_token_round_trip_and_expiry() -> None:
    signer = tokens.TokenSigner(SECRET, timedelta(minutes=15))
    tok = signer.issue(7, "asha", "engineer", NOW)
    claims = signer.verify(tok, NOW + timedelta(minutes=14))
    assert (claims.user_id, claims.username, claims.role) == (7, "asha", "engineer")
    with pytest.raises(InvalidTokenError, match="expired"):
        signer.verify(tok, NOW + timedelta(minutes=15, seconds=1))


@pytest.mark.parametrize("forge", [
    lambda c: jwt.encode(c, "t" * 40, algorithm="HS256"),
    lambda c: jwt.encode(c, None, algorithm="none"),
    lambda c: jwt.encode({**c, "typ": "refresh"}, SECRET, algorithm="HS256"),
    lambda c: jwt.encode({**c, "iss": "elsewhere"}, SECRET, algorithm="HS256"),
    lambda c: "a.b.c",
])
def test_forged_tokens_are_refused(forge: object) -> None:
    signer = tokens.TokenSigner(SECRET, timedelta(minutes=15))
    claims = jwt.decode(signer.issue(7, "asha", "engineer", NOW),
                        options={"verify_signature": False})
    with pytest.raises(InvalidTokenError):
        signer.verify(forge(claims), NOW)  # type: ignore[operator]


def test_refresh_tokens_are_random_and_stored_hashed() -> None:
    a, b = tokens.new_refresh_token(), tokens.new_refresh_token()
    assert a != b and len(a) >= 40
    assert tokens.refresh_token_hash(a) != a and len(tokens.refresh_token_hash(a)) == 64


def test_throttle_allows_free_failures_then_doubles_the_wait() -> None:
    rule = throttle.ThrottleRule(free=3, window=timedelta(minutes=15))
    fails = [NOW - timedelta(seconds=2 - i) for i in range(3)]
    assert throttle.retry_after_s(fails[:2], NOW, rule) == 0
    assert throttle.retry_after_s(fails, NOW, rule) == 1
    fails.append(NOW)
    assert throttle.retry_after_s(fails, NOW, rule) == 2
    assert throttle.retry_after_s(fails, NOW + timedelta(seconds=2), rule) == 0
    old = [NOW - timedelta(hours=1)] * 10
    assert throttle.retry_after_s(old, NOW, rule) == 0
    many = [NOW] * 40
    assert throttle.retry_after_s(many, NOW, rule) == 900


def test_throttle_under_the_free_count_is_zero() -> None:
    assert throttle.retry_after_s([NOW, NOW], NOW, throttle.PER_USER) == 0


def test_spraying_one_address_is_slowed_down_whatever_the_usernames() -> None:
    sprayed = throttle.LoginHistory(from_address=[NOW] * 20)
    assert throttle.wait_s(sprayed, NOW) == 1
    assert throttle.wait_s(throttle.LoginHistory(from_address=[NOW] * 19), NOW) == 0


def test_strangers_failing_do_not_slow_the_owner_where_she_signs_in() -> None:
    attacked = [NOW - timedelta(seconds=1)] * 8
    assert throttle.wait_s(throttle.LoginHistory(for_user=attacked), NOW) == 7
    assert throttle.wait_s(throttle.LoginHistory(for_user=attacked, known_address=True), NOW) == 0
    own_typos = throttle.LoginHistory(for_user=attacked, for_user_at_address=attacked,
                                      known_address=True)
    assert throttle.wait_s(own_typos, NOW) == 7
    assert throttle.wait_s(own_typos, NOW + timedelta(seconds=7)) == 0


def test_roles_are_checked() -> None:
    head = Principal(1, "hema", Role.HEAD)
    assert require_role(head, Role.HEAD, Role.ADMIN) is head
    with pytest.raises(PermissionDeniedError, match="admin"):
        require_role(head, Role.ADMIN)
    with pytest.raises(InvalidUserInputError, match="unknown"):
        parse_role("king")


def test_secret_is_generated_once_with_mode_600(tmp_path: object) -> None:
    from pathlib import Path

    var = Path(str(tmp_path)) / "var"
    first = load_or_create_secret("", var)
    assert load_or_create_secret("", var) == first and len(first) >= 32
    assert (var / "jwt-secret").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret("configured", var) == "configured"
