"""Password hashing with argon2id and the password rules (pure)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.accounts.errors import InvalidUserInputError

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2-cffi's defaults (RFC 9106 low-memory profile): about 40 ms per check here.
_HASHER = PasswordHasher()
# A fixed hash to verify against when the user does not exist, so timing reveals nothing.
_DUMMY_HASH = _HASHER.hash("fieldsync-no-such-user")


def check_password_rules(password: str, username: str = "") -> None:
    """Refuse, with the reason, a password FieldSync will not store for `username`."""
    if len(password) < MIN_LENGTH:
        raise InvalidUserInputError(f"the password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidUserInputError(f"the password may have at most {MAX_LENGTH} characters")
    if username and password.strip().casefold() == username.casefold():
        raise InvalidUserInputError("the password may not be the username")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing user still costs one full verification."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
