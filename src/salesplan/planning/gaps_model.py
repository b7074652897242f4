"""The gap record: one explained shortfall, its confidence, its stable id and the ranking.

A `Gap` is one explained shortfall: what is measured (`metric`, `actual`), against what
(`benchmark` and `benchmark_source`: the target, the reverse funnel, the median segment, the
median rep, last year…), on how much evidence (`n`, `interval`, `confidence`) and what closing
it is worth this plan year (`at_stake_minor`, plan-currency minor units, with the `formula` code
and the `terms` that produce it). Formulas are in docs/gaps.md.

Confidence is `low` when the evidence has n < LOW_CONFIDENCE_N or its interval contains the
benchmark, else `high`; gaps without a sample (capacity, qualitative) carry n = None and are
judged by their interval alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from salesplan.analytics.rates import LOW_CONFIDENCE_N


class GapType(StrEnum):
    FORECAST = "forecast_shortfall"
    FORECAST_DOWNSIDE = "forecast_downside"
    """P50 reaches the target but P10 does not: a risk, not a shortfall (nothing at stake)."""
    CAPACITY = "capacity_shortfall"
    PIPELINE_CREATION = "pipeline_creation"
    PIPELINE_COVERAGE = "pipeline_coverage"
    STAGE_CONVERSION = "stage_conversion"
    STAGE_VELOCITY = "stage_velocity"
    REP_CONVERSION = "rep_stage_conversion"
    FOLLOW_UP = "follow_up"
    LEAD_QUALIFICATION = "lead_qualification"
    RETENTION = "retention"
    STALE_COLLATERAL = "stale_collateral"
    INCONSISTENT_MESSAGING = "inconsistent_messaging"
    WEAK_DEMOS = "weak_demos"
    MARKETING_MISALIGNMENT = "marketing_misalignment"
    OTHER = "other"


QUALITATIVE_TYPES: tuple[GapType, ...] = (
    GapType.STALE_COLLATERAL,
    GapType.INCONSISTENT_MESSAGING,
    GapType.WEAK_DEMOS,
    GapType.MARKETING_MISALIGNMENT,
    GapType.OTHER,
)


class Confidence(StrEnum):
    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Gap:
    """One shortfall; money in plan-currency minor units, rates 0-1, durations in days."""

    type: GapType
    period: str
    """The plan period the gap threatens (`2026`, `2026Q2`, `2026-03`)."""
    scope: dict[str, str]
    """Where: any of region, segment, owner_id, stage, source; empty for the whole team."""
    metric: str
    unit: str
    """money | rate | days | ratio | count | text"""
    actual: float | None
    benchmark: float | None
    benchmark_source: str
    at_stake_minor: int
    formula: str
    """Formula code (docs/gaps.md); `terms` holds its inputs."""
    terms: dict[str, float | int | str | None] = field(default_factory=dict)
    n: int | None = None
    benchmark_n: int | None = None
    interval: tuple[float, float] | None = None
    benchmarks: dict[str, float] = field(default_factory=dict)
    """Other reference points for context (best segment, last year, …)."""
    window: str | None = None
    """The evidence window (`last-12m`, or the period itself)."""
    note: str | None = None
    """Free text written by a person (qualitative gaps)."""

    @property
    def confidence(self) -> Confidence:
        return confidence(self.n, self.interval, self.benchmark)

    @property
    def id(self) -> str:
        """Stable across runs on the same data: type, period and scope, never numbers."""
        where = ",".join(f"{k}={v}" for k, v in sorted(self.scope.items()))
        return f"{self.type.value}/{self.period}/{where or 'all'}"


def confidence(
    n: int | None, interval: tuple[float, float] | None, benchmark: float | None
) -> Confidence:
    """Low when n < LOW_CONFIDENCE_N or the interval contains the benchmark."""
    if n is not None and n < LOW_CONFIDENCE_N:
        return Confidence.LOW
    if interval is not None and benchmark is not None and interval[0] <= benchmark <= interval[1]:
        return Confidence.LOW
    return Confidence.HIGH


def money(value: float | Decimal) -> int:
    """A non-negative amount rounded half-even to whole minor units (NaN → 0)."""
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    exact = Decimal(str(value)) if isinstance(value, float) else value
    return max(0, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))


def rank(gaps: Iterable[Gap]) -> list[Gap]:
    """Largest money at stake first; ties: high confidence first, then the id (stable)."""
    unique: dict[str, Gap] = {}
    for gap in gaps:
        kept = unique.get(gap.id)
        if kept is None or gap.at_stake_minor > kept.at_stake_minor:
            unique[gap.id] = gap
    return sorted(
        unique.values(),
        key=lambda g: (-g.at_stake_minor, g.confidence is not Confidence.HIGH, g.id),
    )


def scope_of(**values: str | None) -> dict[str, str]:
    """A scope dict without the None entries."""
    return {k: str(v) for k, v in values.items() if v is not None}
