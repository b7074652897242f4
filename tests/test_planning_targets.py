"""The four target methods, with hand-computed numbers (minor units)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from salesplan.planning.targets import (
    MethodResult,
    blend_target,
    fit_trend,
    monthly_bookings,
    trend_target,
    yoy_target,
)


def test_yoy_is_last_year_times_one_plus_growth() -> None:
    # ¥10,000,000.00 × 1.25 = ¥12,500,000.00
    result = yoy_target(1_000_000_000, Decimal("0.25"), "2026")
    assert result.target_minor == 1_250_000_000
    assert result.inputs == {
        "base_bookings_minor": 1_000_000_000,
        "growth": Decimal("0.25"),
        "basis": "2026",
    }
    # Rounded once, half to even: 3 × 1.5 = 4.5 → 4; 5 × 1.5 = 7.5 → 8.
    assert yoy_target(3, Decimal("0.5"), "x").target_minor == 4
    assert yoy_target(5, Decimal("0.5"), "x").target_minor == 8


def test_linear_trend_with_less_than_two_years() -> None:
    # y = 1000 + 100 t for 2025-01 … 2025-12 (t = 0…11); 2026 is t = 12…23:
    # Σ = 12 × 1000 + 100 × (12 + 23) × 12 ÷ 2 = 12,000 + 21,000 = 33,000.
    history = [1000 + 100 * t for t in range(12)]
    fit = fit_trend(history, (2025, 1), 2026)
    assert fit.model == "linear"
    assert sum(fit.forecast_minor) == 33_000
    assert fit.slope_minor_per_month == pytest.approx(100)
    # Market growth 10% on top: 33,000 × 1.1 = 36,300.
    assert trend_target(fit, Decimal("0.10")).target_minor == 36_300


def test_linear_trend_skips_the_months_before_the_year() -> None:
    # History 2025-01 … 2025-10 (t = 0…9), y = 500 + 50 t; 2026 is t = 12…23:
    # Σ = 12 × 500 + 50 × 210 = 16,500.
    fit = fit_trend([500 + 50 * t for t in range(10)], (2025, 1), 2026)
    assert sum(fit.forecast_minor) == 16_500


def test_holt_winters_recovers_trend_and_season() -> None:
    # y = 10,000 + 100 t + s(month), s summing to 0 over the year; 36 months from 2024-01.
    # 2027 is t = 36…47: Σ = 12 × 10,000 + 100 × (36 + 47) × 6 = 169,800; January (t = 36)
    # is 10,000 + 3,600 − 3,000 = 10,600 and July (t = 42) is 10,000 + 4,200 + 3,000 = 17,200.
    season = [-3000, -2000, -1000, 0, 1000, 2000, 3000, 2000, 1000, 0, -1000, -2000]
    history = [10_000 + 100 * t + season[t % 12] for t in range(36)]
    fit = fit_trend(history, (2024, 1), 2027)
    assert fit.model == "holt-winters"
    assert sum(fit.forecast_minor) == pytest.approx(169_800, rel=0.01)
    assert fit.forecast_minor[0] == pytest.approx(10_600, rel=0.02)
    assert fit.forecast_minor[6] == pytest.approx(17_200, rel=0.02)


def test_trend_refuses_too_little_or_overlapping_history() -> None:
    with pytest.raises(ValueError):
        fit_trend([1, 2], (2025, 1), 2026)
    with pytest.raises(ValueError):
        fit_trend(list(range(12)), (2025, 1), 2025)


def test_monthly_bookings_fills_gaps_and_drops_the_as_of_month() -> None:
    won = pl.DataFrame(
        {
            "closed_on": [dt.date(2025, 1, 5), dt.date(2025, 1, 20), dt.date(2025, 3, 1),
                          dt.date(2025, 4, 2)],
            "amount_plan_minor": [100, 50, 70, 999],
        }
    )  # fmt: skip
    assert monthly_bookings(won, (2025, 4)) == ((2025, 1), [150, 0, 70])


def test_blend_weights_and_renormalisation() -> None:
    yoy = MethodResult("yoy", 1000)
    capacity = MethodResult("capacity", 800)
    trend = MethodResult("trend", 1200)
    weights = {"yoy": Decimal("0.5"), "capacity": Decimal("0.3"), "trend": Decimal("0.2")}
    # 0.5 × 1000 + 0.3 × 800 + 0.2 × 1200 = 500 + 240 + 240 = 980.
    blend, _ = blend_target([yoy, capacity, trend], weights)
    assert blend.target_minor == 980
    assert blend.note is None
    # Without capacity: 5/7 × 1000 + 2/7 × 1200 = 7400 / 7 = 1057.14 → 1057.
    blend, used = blend_target([yoy, MethodResult("capacity", None), trend], weights)
    assert blend.target_minor == 1057
    assert blend.note == "weights-renormalised"
    assert float(used["yoy"]) == pytest.approx(5 / 7)
