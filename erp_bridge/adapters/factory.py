"""Builds the adapter the deployment's settings name."""

from __future__ import annotations

import httpx

from erp_bridge.adapters.base import ErpAdapter
from erp_bridge.adapters.erpnext import ErpNextErp
from erp_bridge.adapters.http import ErpHttp
from erp_bridge.adapters.null import NullErp
from erp_bridge.adapters.oracle import OracleErp
from erp_bridge.adapters.sap import SapErp
from erp_bridge.errors import ErpConfigError
from erp_bridge.mapping import merged_codes, parse_defaults
from server.config import Settings

KINDS = ("null", "sap", "oracle", "erpnext")


def adapter_from_settings(settings: Settings) -> ErpAdapter:
    """FIELDSYNC_ERP_KIND picks the adapter; the URL and credentials come with it."""
    kind = settings.erp_kind.strip().lower()
    if kind not in KINDS:
        raise ErpConfigError(f"FIELDSYNC_ERP_KIND is {settings.erp_kind!r}; "
                             f"use one of {', '.join(KINDS)}.")
    if kind == "null":
        return NullErp()
    if not settings.erp_url:
        raise ErpConfigError(f"FIELDSYNC_ERP_KIND is {kind} but FIELDSYNC_ERP_URL is empty.")
    defaults = parse_defaults(settings.erp_order_defaults)
    codes = erp_codes(settings, kind)
    if kind == "erpnext":
        token = f"token {settings.erp_username}:{settings.erp_password}"
        http = ErpHttp(settings.erp_url, timeout_s=settings.erp_timeout_s,
                       headers={"Authorization": token, "Accept": "application/json"})
        return ErpNextErp(http, defaults, settings.erp_page_size, codes=codes)
    auth = httpx.BasicAuth(settings.erp_username, settings.erp_password)
    http = ErpHttp(settings.erp_url, timeout_s=settings.erp_timeout_s, auth=auth,
                   headers={"Accept": "application/json"})
    if kind == "sap":
        return SapErp(http, defaults, codes=codes)
    return OracleErp(http, settings.erp_source_system, defaults, settings.erp_page_size,
                     codes=codes)


def erp_codes(settings: Settings, kind: str) -> dict[str, str]:
    """The ERP's codes from FIELDSYNC_ERP_<KIND>_CODES over the defaults in `Settings`."""
    name = f"erp_{kind}_codes"
    return merged_codes(getattr(Settings(), name), getattr(settings, name))
