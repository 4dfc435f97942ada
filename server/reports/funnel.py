"""Lead funnel arithmetic: stage order, conversion between stages and medians; pure."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping
from decimal import Decimal

from server.reports.table import TENTH, percent
from sync.documents.stages import FORWARD, LOST

STAGES = (*FORWARD, LOST)


def conversions(reached: Mapping[str, int]) -> dict[str, Decimal | None]:
    """For each forward stage, the share of leads that reached it and went on to the next."""
    out: dict[str, Decimal | None] = {}
    for stage, following in itertools.pairwise(FORWARD):
        out[stage] = percent(reached.get(following, 0), reached.get(stage, 0))
    out[FORWARD[-1]] = None  # installation is the end of the funnel
    return out


def medians(durations: Iterable[tuple[str, float]]) -> dict[str, Decimal]:
    """Median days spent in each stage, from (stage, days until the next step) pairs."""
    by_stage: dict[str, list[float]] = {}
    for stage, days in durations:
        if days is not None and days >= 0:
            by_stage.setdefault(stage, []).append(float(days))
    return {stage: Decimal(str(statistics.median(values))).quantize(TENTH)
            for stage, values in by_stage.items()}
