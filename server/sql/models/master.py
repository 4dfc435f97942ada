"""Master data: customers, products and price lists."""

from __future__ import annotations
