"""The accounts package's exceptions; the web edge turns them into HTTP answers."""

from __future__ import annotations


class AccountsError(Exception):
    """Base of every accounts failure; `status` is the HTTP status the edge should answer."""

    status = 400


class InvalidUserInputError(AccountsError):
    """A user could not be created or changed as asked (the message says why)."""


class UserExistsError(AccountsError):
    """The username is taken."""

    status = 409


class UserNotFoundError(AccountsError):
    """No user has this username."""

    status = 404


class CurrentPasswordError(AccountsError):
    """A password change whose proof of the current password failed."""

    status = 403


class AuthenticationError(AccountsError):
    """Who is asking could not be established."""

    status = 401


class InvalidCredentialsError(AuthenticationError):
    """Wrong username or password (deliberately not saying which)."""


class InvalidTokenError(AuthenticationError):
    """A token that is forged, malformed, expired, revoked or for a deactivated user."""


class LoginThrottledError(AccountsError):
    """Too many failed logins for this user or address; try again after `retry_after_s`."""

    status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermissionDeniedError(AccountsError):
    """The caller is known but their role does not allow this."""

    status = 403
