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
    worker_shard: str = "0/1"  # this worker's part of the engineer databases: index/count
    max_document_bytes: int = 1024 * 1024
    max_request_bytes: int = 32 * 1024 * 1024
    max_attachment_bytes: int = 5_000_000  # one photo or signature; larger ones are refused
    erp_kind: str = "null"  # null | sap | oracle | erpnext
    erp_url: str = ""
    erp_username: str = ""
    erp_password: str = ""
    erp_max_attempts: int = 8
    erp_timeout_s: float = 30.0
    erp_source_system: str = "FSYNC"  # Oracle SourceTransactionSystem
    erp_order_defaults: str = ""  # Name=value;… merged into each ERP order header
    erp_currency: str = "INR"
    erp_backoff_base_s: float = 2.0
    erp_backoff_cap_s: float = 300.0
    erp_batch_size: int = 50
    erp_page_size: int = 500
    erp_drain_interval_s: float = 15.0
    erp_pull_interval_s: float = 3600.0
    geofence_radius_m: float = 300.0
    log_level: str = "INFO"
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
