"""The conflict queue and its audit trail."""

from __future__ import annotations
