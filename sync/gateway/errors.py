"""The gateway's exceptions, each carrying the CouchDB-style `error` and HTTP status it maps to."""

from __future__ import annotations


class GatewayError(Exception):
    """A request the gateway refuses; `reason` is a sentence for the person holding the phone."""

    status = 400
    error = "bad_request"
    retry_after_s: int | None = None  # sent as Retry-After when set

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadRequestError(GatewayError):
    """Malformed input: unreadable JSON, a bad parameter, an id CouchDB would not accept."""


class UnauthorizedError(GatewayError):
    """No token, or one that is forged, expired or for a disabled account."""

    status = 401
    error = "unauthorized"


class ForbiddenError(GatewayError):
    """The caller is known but may not read or write this."""

    status = 403
    error = "forbidden"


class NotFoundError(GatewayError):
    """No such database, document or endpoint."""

    status = 404
    error = "not_found"


class MethodNotAllowedError(GatewayError):
    """The endpoint exists but not with this method."""

    status = 405
    error = "method_not_allowed"


class TooLargeError(GatewayError):
    """The request body is over the configured limit."""

    status = 413
    error = "too_large"


class TooManyRequestsError(GatewayError):
    """The caller holds as many of something (live feeds) as one engineer may at once."""

    status = 429
    error = "too_many_requests"

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


class BusyError(GatewayError):
    """This serving process holds as many live feeds as it may and still answer other requests."""

    status = 503
    error = "unavailable"

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


class UpstreamError(GatewayError):
    """The store could not be reached or failed; the phone retries later."""

    status = 503
    error = "unavailable"
