"""ERP adapters behind one Protocol; `adapter_from_settings` picks the configured one."""

from __future__ import annotations

from erp_bridge.adapters.base import CustomerRecord, ErpAdapter, ProductRecord
from erp_bridge.adapters.factory import adapter_from_settings

__all__ = ["CustomerRecord", "ErpAdapter", "ProductRecord", "adapter_from_settings"]
