"""On the demo company the baseline recovers what the generator was told (docs/demo-data.md).

- Win rates per segment of new business created over a year before as_of match the
  generator's truth for deals entering at prospecting (`truth_by_type`), within 4 standard
  errors plus the one point the demo tests allow for its residual censoring.
- The monthly seasonality index, applied to new-business creation dates, matches the index
  implied by the parameters (month weights of lunar and other regions, weekday weights and
  yearly growth, each region class weighted by its share), within 4 standard errors.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.seasonality import monthly_index
from salesplan.demo import DemoDataset, generate
from salesplan.domain.records import RecordKind

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def data() -> DemoDataset:
    return generate("medium", 11, AS_OF)


def test_recovered_segment_win_rates(data: DemoDataset) -> None:
    deals = data.frames[RecordKind.OPPORTUNITY].filter(
        (pl.col("type") == "new") & (pl.col("created_on") < AS_OF - dt.timedelta(days=365))
    )
    # Win rate by count does not need amounts; any integer column will do.
    deals = deals.with_columns(pl.col("amount_minor").alias("amount_plan_minor"))
    start = deals["created_on"].min()
    assert isinstance(start, dt.date)
    groups = baseline_groups(deals, start, AS_OF + dt.timedelta(days=1), ["segment"])
    truth = data.truth_by_type.filter((pl.col("type") == "new") & (pl.col("stage_code") == 10))
    expected = dict(zip(truth["segment"], truth["true_win_probability"], strict=True))
    assert {g.group["segment"] for g in groups} == set(expected)
    for g in groups:
        p, n = expected[g.group["segment"]], g.win_rate.n
        assert g.win_rate.rate is not None and n > 500
        se = math.sqrt(p * (1 - p) / n)
        assert abs(g.win_rate.rate - p) < 4 * se + 0.01, (g.group, g.win_rate.rate, p)
        # The Wilson interval of a sample this size contains the truth (1-point allowance).
        assert g.win_rate.low is not None and g.win_rate.high is not None
        assert g.win_rate.low - 0.01 <= p <= g.win_rate.high + 0.01
    # Bigger segments win less often, as configured.
    order = [s.key for s in data.params.segments]
    rates = {g.group["segment"]: g.win_rate.rate for g in groups}
    assert [rates[key] for key in order] == sorted(rates.values(), reverse=True)


def _expected_creation_index(data: DemoDataset, years: tuple[int, ...]) -> list[float]:
    """12 × mean over `years` of the expected monthly share of new-deal creation."""
    params = data.params
    start = dt.date(AS_OF.year - 3, AS_OF.month, 1)  # 36 months of history
    days = [start + dt.timedelta(days=i) for i in range((AS_OF - start).days + 1)]
    lunar_share = sum(r.share for r in params.regions if r.lunar) / sum(
        r.share for r in params.regions
    )
    mass: dict[tuple[int, int], float] = {}
    for share, weights in ((lunar_share, params.lunar_month_weights),
                           (1 - lunar_share, params.month_weights)):  # fmt: skip
        w = [
            weights[d.month - 1]
            * params.weekday_weights[d.weekday()]
            * (1 + params.annual_growth) ** ((d - start).days / 365.25)
            for d in days
        ]
        total = sum(w)
        for d, value in zip(days, w, strict=True):
            mass[(d.year, d.month)] = mass.get((d.year, d.month), 0.0) + share * value / total
    # The estimator's own recipe applied to the exact expected mass: drop the first and last
    # (partial) months, divide by the centred 2×12 moving average, average per calendar month.
    keys = sorted(mass)[1:-1]
    values = [mass[k] for k in keys]
    ratios: dict[int, list[float]] = {m: [] for m in range(1, 13)}
    for t in range(6, len(values) - 6):
        w = values[t - 6 : t + 7]
        cma = (0.5 * w[0] + sum(w[1:12]) + 0.5 * w[12]) / 12
        ratios[keys[t][1]].append(values[t] / cma)
    raw = [sum(r) / len(r) for _, r in sorted(ratios.items())]
    return [12 * v / sum(raw) for v in raw]


def test_recovered_seasonality(data: DemoDataset) -> None:
    created = data.frames[RecordKind.OPPORTUNITY].filter(pl.col("type") == "new")
    as_bookings = created.select(
        pl.col("created_on").alias("closed_on"), pl.lit(1, pl.Int64).alias("amount_plan_minor")
    )
    season = monthly_index(as_bookings)
    assert season.method == "ratio-to-moving-average"
    expected = _expected_creation_index(data, season.years)
    # Only the middle 24 of the 36 months get a ratio (the moving average needs 6 either side).
    n = created.height * 24 // 36
    for month, (got, want) in enumerate(zip(season.index, expected, strict=True), start=1):
        share = want / 12
        se = 12 * math.sqrt(share * (1 - share) / n)
        assert abs(got - want) < 4 * se, (month, got, want)
    # The lunar-new-year dip and the Q4 peak are visible.
    assert season.index[1] < 0.85 and season.index[11] > 1.1
