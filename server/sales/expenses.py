"""Travel expense policy: per-km rates by mode and what a claim may come to (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from server.sales.errors import InvalidRequestError
from sync.documents.pricing import round_paise

MODES = ("bike", "car", "bus", "train", "auto", "taxi", "flight", "other")


def check_rate(mode: str, rate: Decimal) -> Decimal:
    """A per-km rate for a known mode: zero or more rupees with at most two places."""
    if mode not in MODES:
        raise InvalidRequestError(f"mode {mode!r} is unknown; use one of {', '.join(MODES)}",
                                  {"mode": ["unknown travel mode"]})
    if not rate.is_finite() or rate < 0 or rate > Decimal("100000"):
        raise InvalidRequestError("the rate per km is rupees from 0 to 100000",
                                  {"rate_per_km": ["out of range"]})
    if rate != round_paise(rate):
        raise InvalidRequestError("the rate per km has at most two decimal places",
                                  {"rate_per_km": ["at most two decimal places"]})
    return rate


def allowance(mode: str, km: Decimal, rates: Mapping[str, Decimal]) -> Decimal | None:
    """What the km come to at the mode's rate; None when no rate is set for the mode."""
    rate = rates.get(mode)
    if rate is None:
        return None
    return round_paise(km * rate)


def over_allowance(mode: str, km: Decimal, amount: Decimal,
                   rates: Mapping[str, Decimal]) -> Decimal:
    """How far the claimed amount exceeds the per-km allowance (0 within it or without a rate)."""
    allowed = allowance(mode, km, rates)
    if allowed is None or amount <= allowed:
        return Decimal("0.00")
    return amount - allowed
