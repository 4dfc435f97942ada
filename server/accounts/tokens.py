"""Signed access tokens (JWT, HS256) and opaque refresh tokens (pure)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from server.accounts.errors import InvalidTokenError

ALGORITHM = "HS256"
ISSUER = "fieldsync"
ACCESS = "access"


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: int
    username: str
    role: str
    expires_at: datetime
    version: int = 0  # the user's token version when issued; tokens from before it have none


class TokenSigner:
    """Issues and verifies access tokens with one installation secret."""

    def __init__(self, secret: str, ttl: timedelta) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 characters")
        self._secret = secret
        self.ttl = ttl

    def issue(self, user_id: int, username: str, role: str, now: datetime,
              version: int = 0) -> str:
        claims = {
            "iss": ISSUER, "typ": ACCESS, "sub": str(user_id), "name": username, "role": role,
            "iat": int(now.timestamp()), "exp": int((now + self.ttl).timestamp()),
            "jti": uuid.uuid4().hex, "ver": version,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, now: datetime) -> AccessClaims:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False})
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"the access token is not valid ({exc})") from exc
        # Expiry is checked against our clock so that tests and servers agree on "now".
        if claims["exp"] <= now.timestamp():
            raise InvalidTokenError("the access token has expired: refresh it or sign in again")
        version = claims.get("ver", 0)
        if (claims.get("typ") != ACCESS or not str(claims["sub"]).isdigit()
                or not isinstance(version, int)):
            raise InvalidTokenError("this is not a FieldSync access token")
        return AccessClaims(int(claims["sub"]), str(claims.get("name", "")),
                            str(claims.get("role", "")),
                            datetime.fromtimestamp(claims["exp"], tz=now.tzinfo), version)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
