"""FieldSync settings: one immutable object, read from the environment in the factories only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "FIELDSYNC_"


@dataclass(frozen=True)
class Settings:
    """Everything FieldSync can be configured with; each field maps to FIELDSYNC_<NAME>."""

    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite under var_dir
    store_url: str = ""  # empty: the embedded store is started by `fieldsync run`
    store_username: str = ""
    store_password: str = ""
    store_in_memory: bool = False
    db_prefix: str = "fs-"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_url: str = ""  # the URL printed for people; defaults to http://host:port
    jwt_secret: str = ""  # empty: a per-installation secret is generated under var_dir
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    company_state: str = "29"  # GST state code of the selling company (29 = Karnataka)
    worker_batch_size: int = 500
    worker_poll_interval_s: float = 0.1
    worker_sweep_interval_s: float = 300.0
    worker_shard: str = ""  # index/count: a fixed split instead of leases (empty: leases)
    worker_name: str = ""  # shown as the owner of this worker's leases (empty: host name)
    worker_partitions: int = 64  # engineer databases hash into this many leased partitions
    worker_lease_ttl_s: float = 15.0  # a lease not renewed for this long goes to another worker
    worker_unowned_alert_s: float = 60.0  # /healthz is not ok while a partition waits longer
    max_request_bytes: int = 32 * 1024 * 1024
    trusted_proxies: int = 0  # reverse proxies in front of serve whose X-Forwarded-* to trust
    # One `_bulk_docs` at most: PouchDB pushes 100 documents a batch unless told otherwise.
    gateway_max_batch_docs: int = 1000
    gateway_max_batch_bytes: int = 10 * 1024 * 1024
    gateway_live_feeds_per_user: int = 20  # per serving process
    # All engineers together, per serving process: below gunicorn's 5,000 connections, so a
    # process full of idle feeds still answers logins, pushes and /healthz (503 beyond).
    gateway_live_feeds_per_process: int = 4500
    # Reading a request (fieldsync serve): headers within this many seconds of the connection
    # (or of the request's first byte on a kept-alive one); a body within http_body_timeout_s
    # plus one second for every http_body_min_rate bytes received (bytes per second).
    http_header_timeout_s: float = 20.0
    http_body_timeout_s: float = 30.0
    http_body_min_rate: int = 1000
    attachment_max_bytes: int = 5 * 1024 * 1024  # each attachment, decoded
    erp_kind: str = "null"  # null | sap | oracle | erpnext
    erp_url: str = ""
    erp_username: str = ""
    erp_password: str = ""
    erp_max_attempts: int = 8
    erp_timeout_s: float = 30.0
    erp_lease_s: float = 30.0  # a claimed order's lease, renewed while it is being sent
    erp_source_system: str = "FSYNC"  # Oracle SourceTransactionSystem
    erp_order_defaults: str = ""  # Name=value;… merged into each ERP order header
    erp_currency: str = "INR"
    # The ERP's own codes for prices, discounts, GST and the customer's PO (Name=value;…;
    # names left out keep these defaults). See README "What the ERP receives".
    erp_sap_codes: str = "price=PR00;discount=K007;cgst=JOCG;sgst=JOSG;igst=JOIG;po_text=0001"
    erp_oracle_codes: str = ("override=PRICE_OVERRIDE;discount=DISCOUNT_PERCENT;"
                             "charge=QP_SALE_PRICE;regime=IN GST;cgst=CGST;sgst=SGST;igst=IGST;"
                             "net_total=QP_TOTAL_NET_PRICE;tax_total=QP_TOTAL_TAX;"
                             "total=QP_TOTAL_PAY_NOW")
    erp_erpnext_codes: str = ("order_id_field=fieldsync_order_id;cgst=Output Tax CGST - FS;"
                              "sgst=Output Tax SGST - FS;igst=Output Tax IGST - FS")
    erp_backoff_base_s: float = 2.0
    erp_backoff_cap_s: float = 300.0
    erp_batch_size: int = 50
    erp_page_size: int = 500
    erp_drain_interval_s: float = 15.0
    erp_pull_interval_s: float = 3600.0
    # Master-data pulls: the ERP's own codes (see README, "Territory and master-data pulls").
    erp_tax_rates: str = ""  # tax classification code=GST percent;… (SAP, Oracle)
    erp_region_states: str = ""  # address region code=GST state code;… (SAP)
    erp_gstin_tax_type: str = "IN3"  # SAP business-partner tax number type of the GSTIN
    erp_price_condition: str = "PR00"  # SAP condition type of the list price
    erp_price_list: str = "Standard Selling"  # ERPNext / Oracle price list ('' : every one)
    erp_hsn_catalog: str = "HSN"  # Oracle item catalog whose category code is the HSN
    geofence_radius_m: float = 300.0
    map_tile_url: str = ""  # e.g. https://tiles.example/{z}/{x}/{y}.png; empty: maps without tiles

    # Master-data imports: what one file may hold, checked while it is read (see README).
    import_max_rows: int = 50_000
    import_max_columns: int = 100
    import_max_upload_bytes: int = 10 * 1024 * 1024
    import_max_unzipped_bytes: int = 64 * 1024 * 1024  # all parts of an XLSX, uncompressed
    import_poll_interval_s: float = 1.0
    log_level: str = "INFO"
    # Bearer token for /metrics; empty: /metrics answers only local, unproxied requests.
    metrics_token: str = ""
    demo_data: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then FIELDSYNC_* variables, then explicit overrides (tests, CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(raw, type(getattr(cls(), f.name)))
        values.update(overrides)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'fieldsync.db').resolve()}"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.http_host}:{self.http_port}"

    @property
    def shard(self) -> tuple[int, int]:
        if not self.worker_shard:
            return 0, 1
        index, _, count = self.worker_shard.partition("/")
        return int(index), int(count or 1)


def _parse(raw: str, kind: type) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if issubclass(kind, Path):
        return Path(raw)
    if kind in (int, float):
        return kind(raw)
    return raw
