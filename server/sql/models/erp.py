"""The ERP outbox, its attempts and the dead-letter list."""

from __future__ import annotations
