"""Baseline maths against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.funnel import stage_conversion
from salesplan.analytics.rates import prior_strength, rate, shrink, wilson
from salesplan.analytics.seasonality import monthly_index
from salesplan.domain.periods import PeriodError, parse_period
from salesplan.domain.stages import DEFAULT_STAGES

D = dt.date
T = dt.datetime
YEAR_2025 = (D(2025, 1, 1), D(2026, 1, 1))

DEALS = pl.DataFrame(
    {
        "status": ["won", "won", "lost", "won", "open", "lost"],
        "segment": ["a", "a", "a", "b", "b", None],
        "created_on": [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1), D(2025, 1, 10),
                       D(2025, 5, 1), D(2024, 12, 1)],
        "closed_on": [D(2025, 1, 31), D(2025, 4, 2), D(2025, 3, 5), D(2025, 2, 9), None,
                      D(2025, 1, 2)],
        "amount_plan_minor": [100, 301, 50, 1000, 7, 0],
    }
)  # fmt: skip


def test_wilson_interval_matches_published_values() -> None:
    # Newcombe (1998), table I: 8/10 → 0.4902–0.9433; 0/10 → 0–0.2775.
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson(0, 10)
    assert (round(low, 4), round(high, 4)) == (0.0, 0.2775)


def test_small_samples_are_flagged_and_empty_rates_are_none() -> None:
    assert rate(3, 10).low_confidence
    assert not rate(15, 30).low_confidence
    empty = rate(0, 0)
    assert empty.rate is None and empty.low_confidence


def test_shrinkage_pulls_small_groups_toward_the_pool() -> None:
    # Pool 10/20 = 0.5; with m = 2 a 3/3 group becomes (3 + 1) / (3 + 2) = 0.8.
    assert shrink(3, 3, 0.5, 2.0) == pytest.approx(0.8)
    # Identical groups: no between-group variance, so the prior strength is capped (full pool).
    assert prior_strength([5, 5, 5], [10, 10, 10]) == 1000.0
    # Very different groups (0/50 vs 50/50): weak prior, each keeps its own rate.
    assert prior_strength([0, 50], [50, 50]) < 2.0


def test_overall_baseline_by_hand() -> None:
    (overall,) = baseline_groups(DEALS, *YEAR_2025)
    # Closed in 2025: won 100, 301, 1000; lost 50 and 0 (the 0 deal was created in 2024).
    assert (overall.won, overall.lost) == (3, 2)
    assert overall.win_rate.rate == pytest.approx(3 / 5)
    assert overall.win_rate_value == pytest.approx(1401 / 1451)
    assert overall.bookings_minor == 1401
    assert overall.avg_deal_minor == 467  # 1401 / 3 = 467.0
    assert overall.median_deal_minor == 301
    # Won cycles: 30, 60, 30 days → median 30, p75 45, p90 54 (linear interpolation).
    assert (overall.cycle_median_days, overall.cycle_p75_days, overall.cycle_p90_days) == (
        30.0,
        45.0,
        54.0,
    )
    # Created in 2025: every deal but the 2024 one: 100 + 301 + 50 + 1000 + 7.
    assert (overall.created, overall.created_minor) == (5, 1458)


def test_group_baseline_and_exact_half_even_money() -> None:
    groups = {g.group["segment"]: g for g in baseline_groups(DEALS, *YEAR_2025, ["segment"])}
    a = groups["a"]
    # (100 + 301) / 2 = 200.5 → 200 (half-even) for both the mean and the median.
    assert (a.avg_deal_minor, a.median_deal_minor) == (200, 200)
    assert a.win_rate.rate == pytest.approx(2 / 3)
    assert groups["b"].created == 2
    nobody = groups[None]
    assert (nobody.won, nobody.lost, nobody.avg_deal_minor) == (0, 1, None)
    # Every group's shrunk rate lies between its raw rate and the pooled 3/5.
    for g in groups.values():
        assert g.win_rate.rate is not None and g.win_rate_shrunk is not None
        lo, hi = sorted([g.win_rate.rate, 0.6])
        assert lo - 1e-12 <= g.win_rate_shrunk <= hi + 1e-12


def test_a_period_without_closed_deals() -> None:
    (empty,) = baseline_groups(DEALS, D(2030, 1, 1), D(2031, 1, 1))
    assert empty.win_rate.rate is None
    assert (empty.bookings_minor, empty.avg_deal_minor, empty.cycle_median_days) == (0, None, None)


def test_stage_conversion_from_events() -> None:
    events = pl.DataFrame(
        {
            "opportunity_id": ["x", "x", "x", "y", "y", "z", "w", "w"],
            "stage_code": [10, 20, 90, 10, 91, 10, 10, 30],
            "entered_at": [T(2025, 1, 1), T(2025, 1, 11), T(2025, 2, 1), T(2025, 1, 5),
                           T(2025, 1, 9), T(2025, 3, 1), T(2025, 4, 1), T(2025, 4, 21)],
        }
    )  # fmt: skip
    by_stage = {s.stage: s for s in stage_conversion(events, DEFAULT_STAGES, *YEAR_2025)}
    prospecting = by_stage["prospecting"]
    # x advanced (→20), w advanced (skipped to 30), y died (lost), z still open at 10.
    assert (prospecting.entered, prospecting.advanced, prospecting.died) == (4, 2, 1)
    assert prospecting.unresolved == 1
    assert prospecting.conversion.rate == pytest.approx(2 / 3)
    # Days in prospecting for deals that advanced: x 10, w 20 → median 15.
    assert prospecting.median_days_in_stage == pytest.approx(15.0)
    qualification = by_stage["qualification"]
    assert (qualification.entered, qualification.advanced, qualification.died) == (1, 1, 0)


def _monthly(first: D, counts: list[int], amount: int = 100) -> pl.DataFrame:
    """`counts[i]` won deals of `amount` on the 15th of the i-th month from `first`."""
    days, amounts = [], []
    year, month = first.year, first.month
    for count in counts:
        days += [D(year, month, 15)] * count
        amounts += [amount] * count
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return pl.DataFrame({"closed_on": days, "amount_plan_minor": amounts})


def test_seasonality_ratio_to_moving_average_by_hand() -> None:
    # 38 months (Dec 2022 – Jan 2026; first and last are dropped as partial, leaving 36):
    # December closes 3 deals, every other month 1 (all the same size). Every centred 2×12
    # window holds exactly one December: CMA = 14/12, so December's ratio is 3 ÷ 14/12 =
    # 36/14 and the others 12/14; they already average 1.
    counts = [3 if (m % 12) == 0 else 1 for m in range(38)]  # index 0 = December 2022
    season = monthly_index(_monthly(D(2022, 12, 1), counts))
    assert season.method == "ratio-to-moving-average"
    assert season.index[11] == pytest.approx(36 / 14)
    assert season.index[0] == pytest.approx(12 / 14)
    assert sum(season.index) == pytest.approx(12.0)


def test_seasonality_is_not_fooled_by_growth() -> None:
    # 3% more deals every month and no seasonality at all: a within-year share would call
    # December 1.03**11 ≈ 1.38 times January; the detrended index stays flat.
    counts = [round(1000 * 1.03**m) for m in range(38)]
    season = monthly_index(_monthly(D(2022, 12, 1), counts))
    assert season.method == "ratio-to-moving-average"
    for value in season.index:
        assert value == pytest.approx(1.0, abs=0.01)


def test_one_exceptional_deal_does_not_make_a_season() -> None:
    frame = _monthly(D(2022, 12, 1), [5] * 38)
    whale = pl.DataFrame({"closed_on": [D(2024, 7, 15)], "amount_plan_minor": [1_000_000]})
    season = monthly_index(pl.concat([frame, whale]))
    # Winsorised at the 90th percentile (= 100 here) the whale counts as one ordinary deal:
    # July 2024 has 6 deals instead of 5, a small bump (≈ 6/5 over the two Julys with a
    # ratio, so about 1.1), not the ×2,000 month it would be otherwise.
    assert 1.0 < season.index[6] < 1.2


def test_seasonality_falls_back_with_little_history() -> None:
    # Dec 2023 – Jan 2025: the partial first and last months are dropped, 2024 is complete.
    counts = [1] + [1] * 11 + [3] + [1]
    season = monthly_index(_monthly(D(2023, 12, 1), counts))
    assert season.method == "one-year-shrunk"
    # 12 × 3/14 = 2.5714…, shrunk halfway toward 1 → 1.7857…
    assert season.index[11] == pytest.approx(0.5 * 12 * 3 / 14 + 0.5)
    partial = pl.DataFrame({"closed_on": [D(2024, 3, 1)], "amount_plan_minor": [5]})
    assert monthly_index(partial).method == "flat"


def test_periods() -> None:
    as_of = D(2026, 11, 28)
    q = parse_period("2026Q1", as_of)
    assert (q.start, q.end) == (D(2026, 1, 1), D(2026, 4, 1))
    assert parse_period("2026-03", as_of).end == D(2026, 4, 1)
    rolling = parse_period("last-12m", as_of)
    assert (rolling.start, rolling.end) == (D(2025, 12, 1), D(2026, 11, 29))
    assert q.previous_year().start == D(2025, 1, 1)
    assert parse_period("2026-12", as_of).previous().start == D(2026, 11, 1)
    with pytest.raises(PeriodError):
        parse_period("2026-13", as_of)
    with pytest.raises(PeriodError):
        parse_period("next year", as_of)
