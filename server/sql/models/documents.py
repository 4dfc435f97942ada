"""Rows materialised from the engineers' documents (offers, orders, leads, visits, expenses, to-dos, GPS)."""

from __future__ import annotations
