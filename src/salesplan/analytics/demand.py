"""Demand-decline signals: leads and pipeline creation against their seasonal expectation.

Two monthly series, over whole calendar months before as_of's month (the current month is
partial), starting with the first month that has data:

- `leads`: leads created (count of `lead.created_on`);
- `pipeline`: amount of opportunities created (`created_on`, plan-currency minor units; a
  missing amount counts 0), renewals left out since they come from contracts, not demand.

Expectation of month t = level × index(calendar month of t), where level = the mean of the
12 months before t (a trailing year, so every calendar month weighs once and the level is
free of seasonality) and index is the monthly seasonality index of the series itself
(analytics/seasonality.py: ratio-to-moving-average, which cannot see the last six months,
so a recent decline does not lower its own expectation). Months with fewer than 12 months
before them are not judged.

Noise: a month's total is a sum over a Poisson number of items (leads count 1 each, deals
their amount), so its variance is estimated the same way as its mean: V = (mean over the
same 12 months of Σ amount² per month) × index; for leads V = expected (Poisson). The lower
bound is expected − 1.96·√V.

A month is **below** when actual < (1 − threshold) × expected (threshold 0.15 by default:
the drop matters) **and** actual < the lower bound (it is not noise: a few large deals
missing from a month of pipeline are not a decline). A **decline** is a run of at least
`min_run` (2) consecutive months below; it is `ongoing` when the run reaches the last judged
month. Its shortfall = Σ expected − Σ actual over the run (in the series' unit), shortfall
share = shortfall ÷ Σ expected.

With steady growth the trailing level lags (≈ half a year of growth), so a growing team's
expectation is conservative: a month must fall well below trend to be flagged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.assessment import Finding
from salesplan.analytics.seasonality import monthly_index

DEFAULT_THRESHOLD = 0.15
DEFAULT_MIN_RUN = 2
LEVEL_MONTHS = 12
Z = 1.959963984540054
METRICS = ("leads", "pipeline")


@dataclass(frozen=True, slots=True)
class DemandPoint:
    metric: str
    month: dt.date
    """First day of the month."""
    actual: int
    """Leads, or pipeline created in minor units."""
    expected: float | None
    """None while fewer than 12 months precede it."""
    ratio: float | None
    """actual ÷ expected."""
    low: float | None
    """expected − 1.96·√V: the lower bound of ordinary noise."""
    below: bool


@dataclass(frozen=True, slots=True)
class DemandDecline:
    metric: str
    months: list[dt.date]
    actual: int
    expected: float
    shortfall: float
    shortfall_share: float
    ongoing: bool


@dataclass(frozen=True, slots=True)
class DemandSeries:
    metric: str
    index: tuple[float, ...]
    method: str
    """The seasonality method (see analytics/seasonality.py)."""
    points: list[DemandPoint]
    declines: list[DemandDecline]


@dataclass(frozen=True, slots=True)
class Demand:
    threshold: float
    min_run: int
    series: list[DemandSeries]

    @property
    def declines(self) -> list[DemandDecline]:
        return [d for s in self.series for d in s.declines]


def judge(
    metric: str,
    months: Sequence[dt.date],
    values: Sequence[int],
    squares: Sequence[float],
    index: Sequence[float],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_run: int = DEFAULT_MIN_RUN,
) -> tuple[list[DemandPoint], list[DemandDecline]]:
    """Each month against level × index, and the runs of months below (see module doc).

    `months` are consecutive month starts with their `values` (Σ amount) and `squares`
    (Σ amount²); `index` has twelve values, January first."""
    if not 0 < threshold < 1:
        raise ValueError("threshold must be between 0 and 1")
    points = []
    for t, (month, actual) in enumerate(zip(months, values, strict=True)):
        if t < LEVEL_MONTHS:
            points.append(DemandPoint(metric, month, actual, None, None, None, False))
            continue
        season = index[month.month - 1]
        expected = sum(values[t - LEVEL_MONTHS : t]) / LEVEL_MONTHS * season
        variance = sum(squares[t - LEVEL_MONTHS : t]) / LEVEL_MONTHS * season
        low = expected - Z * math.sqrt(max(variance, 0.0))
        ratio = actual / expected if expected > 0 else None
        below = expected > 0 and actual < (1 - threshold) * expected and actual < low
        points.append(DemandPoint(metric, month, actual, expected, ratio, low, below))
    return points, _runs(points, min_run)


def _runs(points: list[DemandPoint], min_run: int) -> list[DemandDecline]:
    runs: list[list[DemandPoint]] = []
    current: list[DemandPoint] = []
    for p in points:
        if p.below:
            current.append(p)
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    last = points[-1].month if points else None
    out = []
    for run in runs:
        if len(run) < min_run:
            continue
        expected = sum(p.expected or 0.0 for p in run)
        actual = sum(p.actual for p in run)
        out.append(
            DemandDecline(
                metric=run[0].metric,
                months=[p.month for p in run],
                actual=actual,
                expected=expected,
                shortfall=expected - actual,
                shortfall_share=(expected - actual) / expected,
                ongoing=run[-1].month == last,
            )
        )
    return out


def monthly_series(
    days: pl.Series, amounts: pl.Series, as_of: dt.date
) -> tuple[list[dt.date], list[int], list[float]]:
    """Σ amount and Σ amount² per month, from the first month with data to the month
    before as_of's."""
    frame = pl.DataFrame({"day": days, "amount": amounts.fill_null(0).cast(pl.Int64)})
    frame = frame.filter(pl.col("day").is_not_null() & (pl.col("day") < as_of.replace(day=1)))
    if frame.height == 0:
        return [], [], []
    sums = frame.group_by(pl.col("day").dt.truncate("1mo").alias("month")).agg(
        pl.col("amount").sum(),
        pl.col("amount").cast(pl.Float64).pow(2).sum().alias("square"),
    )
    first = sums["month"].min()
    assert isinstance(first, dt.date)
    months = pl.date_range(first, as_of.replace(day=1), "1mo", closed="left", eager=True)
    full = months.alias("month").to_frame().join(sums, on="month", how="left").fill_null(0)
    return (
        full["month"].to_list(),
        [int(v) for v in full["amount"].to_list()],
        [float(v) for v in full["square"].to_list()],
    )


def _series(
    metric: str,
    days: pl.Series,
    amounts: pl.Series,
    as_of: dt.date,
    threshold: float,
    min_run: int,
) -> DemandSeries:
    months, values, squares = monthly_series(days, amounts, as_of)
    season = monthly_index(pl.DataFrame({"closed_on": days, "amount_plan_minor": amounts}))
    points, declines = judge(
        metric, months, values, squares, season.index, threshold=threshold, min_run=min_run
    )
    return DemandSeries(metric, season.index, season.method, points, declines)


def demand(
    leads: pl.DataFrame,
    opportunities: pl.DataFrame,
    as_of: dt.date,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_run: int = DEFAULT_MIN_RUN,
) -> Demand:
    """Leads and pipeline creation against their seasonal expectation (see module doc)."""
    created = leads["created_on"]
    new = opportunities.filter(pl.col("type").fill_null("") != "renewal")
    amounts = new["amount_plan_minor"].fill_null(0).cast(pl.Int64)
    return Demand(
        threshold,
        min_run,
        [
            _series("leads", created, pl.Series([1] * len(created), dtype=pl.Int64), as_of,
                    threshold, min_run),
            _series("pipeline", new["created_on"], amounts, as_of, threshold, min_run),
        ],
    )  # fmt: skip


def findings(result: Demand) -> list[Finding]:
    """Ongoing declines as assessment findings (code `demand_decline`, an obstacle): value =
    actual ÷ expected over the run, benchmark = 1 − threshold, n = months in the run."""
    return [
        Finding(
            code="demand_decline",
            kind="obstacle",
            value=d.actual / d.expected,
            benchmark=1 - result.threshold,
            n=len(d.months),
            subject=d.metric,
        )
        for d in result.declines
        if d.ongoing
    ]
