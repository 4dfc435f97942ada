"""A thin httpx transport shared by the adapters: sorts failures into retry or reject."""

# Why httpx and not SAP's pyodata: pyodata needs `$metadata` at start-up, does not refetch the
# CSRF token on 403 and does not send `If-Match`; it is OData V2 only, so Oracle and ERPNext
# would need a second client anyway. One small client keeps CSRF, timeouts and the retry
# classification under our control for every ERP.

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from erp_bridge.errors import ErpTransient
from erp_bridge.retry import parse_retry_after

# The ERP did not process these at all: safe to send again without a lookup.
NOT_PROCESSED = (429, 503)
# The ERP may have processed the request: a create must be looked up before it is resent.
MAYBE_PROCESSED = (500, 502, 504)


class ErpHttp:
    """One httpx client per ERP with a timeout, auth and cookie jar."""

    def __init__(self, base_url: str, *, timeout_s: float, auth: httpx.Auth | None = None,
                 headers: dict[str, str] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.client = httpx.Client(base_url=base_url.rstrip("/"), auth=auth,
                                   headers=headers or {}, timeout=timeout_s)
        self.clock = clock

    def send(self, method: str, url: str, *, creates: bool = False,
             **kwargs: Any) -> httpx.Response:
        """One request; network trouble and 429/5xx become `ErpTransient`."""
        try:
            response = self.client.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ErpTransient(f"The ERP could not be reached: {exc or type(exc).__name__}",
                               outcome_unknown=False) from exc
        except httpx.TransportError as exc:
            # A read timeout or a dropped connection after sending: it may have been created.
            raise ErpTransient(f"No answer from the ERP ({type(exc).__name__}: {exc})",
                               outcome_unknown=creates) from exc
        self._raise_for_overload(response, creates)
        return response

    def _raise_for_overload(self, response: httpx.Response, creates: bool) -> None:
        status = response.status_code
        if status not in NOT_PROCESSED and status not in MAYBE_PROCESSED:
            return
        retry_after = parse_retry_after(response.headers.get("retry-after"), self.clock(),
                                        response.headers.get("date"))
        text = response.text.strip()[:300]
        raise ErpTransient(f"The ERP answered {status}{': ' + text if text else ''}",
                           retry_after_s=retry_after,
                           outcome_unknown=creates and status in MAYBE_PROCESSED)

    def close(self) -> None:
        self.client.close()
