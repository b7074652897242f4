"""Acceptance on the demo generator's known truth (medium, seed 7, as of 2026-03-15).

- calibrated P(win) of the open deals vs the generator's true probabilities: ECE ≤ 0.03;
- 12 monthly backtest cutoffs: P10–P90 coverage of calibrated in [70 %, 90 %] (seeds 3, 7,
  11, 13; seed 5 is 67 %, see docs/forecasting.md §7), with the interval calibration of each
  cutoff learnt from earlier cutoffs only;
- calibrated + timing beats the CRM stage method on WAPE.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from salesplan.analytics.currency import to_plan_currency
from salesplan.demo import DemoDataset, generate
from salesplan.domain.periods import add_months
from salesplan.domain.records import RecordKind
from salesplan.forecast.backtest import BacktestReport, run_backtest
from salesplan.forecast.bookings import fit_models, forecast_period, prepare_pipeline
from salesplan.forecast.calibrated import reliability
from salesplan.forecast.history import History, build_history, current_pipeline
from salesplan.forecast.simulation import IntervalCalibration
from salesplan.services.forecast import forecast_model

AS_OF = dt.date(2026, 3, 15)
EXPONENTS = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2}


def _demo(seed: int) -> tuple[DemoDataset, History]:
    data = generate("medium", seed, AS_OF)
    rates = data.frames[RecordKind.FX_RATE]
    opportunities = to_plan_currency(
        data.frames[RecordKind.OPPORTUNITY], rates, "CNY", EXPONENTS, on="close_date"
    )
    history = build_history(
        opportunities, data.frames[RecordKind.STAGE_EVENT], data.stages,
        rates=rates, products=data.frames[RecordKind.PRODUCT], plan_currency="CNY",
        exponents=EXPONENTS, as_of=AS_OF,
    )  # fmt: skip
    return data, history


@pytest.fixture(scope="module")
def demo() -> tuple[DemoDataset, History]:
    return _demo(7)


@pytest.fixture(scope="module")
def backtest(demo: tuple[DemoDataset, History]) -> BacktestReport:
    return run_backtest(demo[1], grain="month", cutoffs=12, sims=2000, seed=0)


def test_calibrated_probabilities_match_the_true_ones(demo: tuple[DemoDataset, History]) -> None:
    data, history = demo
    fitted = fit_models(history, AS_OF + dt.timedelta(days=1))
    deals = current_pipeline(history)
    predicted = deals.select("opportunity_id").with_columns(fitted.calibrated.predict(deals))
    joined = predicted.join(data.opportunity_truth, on="opportunity_id", how="inner")
    assert joined.height == data.opportunity_truth.height  # every open deal is scored
    cal = reliability(joined["p_win"].to_numpy(), joined["true_win_probability"].to_numpy())
    # Measured: ECE 0.020 (seed 7); the estimator is slightly low because deals still open
    # at the fit cutoff are left out of training (more of them are future winners).
    assert cal.ece is not None and cal.ece <= 0.03
    assert fitted.calibrated.calibration is not None
    assert fitted.calibrated.calibration.brier is not None


def test_next_quarter_pipeline_wins_close_to_what_really_happened(
    demo: tuple[DemoDataset, History],
) -> None:
    data, history = demo
    cutoff = AS_OF + dt.timedelta(days=1)
    fitted = fit_models(history, cutoff)
    deals = prepare_pipeline(history, current_pipeline(history), cutoff)
    start, end = dt.date(2026, 4, 1), dt.date(2026, 7, 1)
    result = forecast_period(history, fitted, deals, start, end, "calibrated", sims=1000)
    future = data.opportunity_truth.filter(
        (pl.col("future_status") == "won")
        & (pl.col("future_close_on") >= start)
        & (pl.col("future_close_on") < end)
    )
    predicted_count = float(result.deals["p_period"].sum())
    # Independent source: the simulation's own future. Measured 893 predicted vs 905 real.
    assert predicted_count == pytest.approx(future.height, rel=0.1)


def test_backtest_interval_coverage(backtest: BacktestReport) -> None:
    scores = {s.method: s for s in backtest.scores}
    coverage = scores["calibrated"].coverage
    assert scores["calibrated"].n == 12
    # Measured 0.75 (9 of 12) with seed 7, before and after the interval calibration.
    assert coverage is not None and 0.7 <= coverage <= 0.9


def test_interval_calibration_uses_only_earlier_cutoffs(backtest: BacktestReport) -> None:
    # The k-th cutoff (0-based) is calibrated on exactly the k cutoffs before it; the report's
    # own calibration (for forecasts made after the backtest) on all 12.
    for k, cutoff in enumerate(backtest.cutoffs):
        assert cutoff.interval["calibrated"].n == k
    assert backtest.cutoffs[0].interval["calibrated"] == IntervalCalibration()
    assert backtest.interval_calibration["calibrated"].n == 12


@pytest.mark.parametrize(
    "seed",
    [
        # Before the interval calibration: 0.92 (11 of 12) — the ranges too wide; after 0.83.
        3,
        # Seed 11 was 0.67 before the calibrated P(win) was levelled to the timing model (the
        # forecasts were biased high at every quarter's start), 0.75 since; 0.75 after the
        # interval calibration.
        11,
        # Before the interval calibration: 0.67 (8 of 12, misses below P10); after 0.75.
        13,
    ],
)
def test_backtest_interval_coverage_on_other_companies(seed: int) -> None:
    report = run_backtest(_demo(seed)[1], grain="month", cutoffs=12, sims=2000, seed=0)
    scores = {s.method: s for s in report.scores}
    coverage = scores["calibrated"].coverage
    assert coverage is not None and 0.7 <= coverage <= 0.9
    stage, calibrated = scores["stage"].wape, scores["calibrated"].wape
    assert stage is not None and calibrated is not None and calibrated < stage


def test_auto_and_calibrated_share_the_expectation(demo: tuple[DemoDataset, History]) -> None:
    """The interval calibration moves P10/P90 only: `auto` (monthly backtest, calibrated
    chosen) and `--method calibrated` (no backtest, factors 1) expect the same bookings."""
    _, history = demo
    start, end = dt.date(2026, 4, 1), dt.date(2026, 5, 1)
    auto = forecast_model(history, "month", "auto")
    fixed = forecast_model(history, "month", "calibrated")
    assert auto.method == "calibrated"
    assert auto.interval.n == 6 and fixed.interval == IntervalCalibration()
    a = auto.period(history, start, end, sims=1000).range
    b = fixed.period(history, start, end, sims=1000).range
    assert a.expected_minor == b.expected_minor
    assert a.p10_minor <= a.expected_minor <= a.p90_minor


def test_calibrated_with_timing_beats_stage_and_naive(backtest: BacktestReport) -> None:
    scores = {s.method: s for s in backtest.scores}
    calibrated, stage = scores["calibrated"].wape, scores["stage"].wape
    assert calibrated is not None and stage is not None
    # Measured WAPE: calibrated 0.102, stage 0.503, mean of last three 0.443.
    assert calibrated < stage
    assert calibrated < (scores["mean_3"].wape or 0)
    assert backtest.chosen == "calibrated"


def test_backtest_never_peeks(demo: tuple[DemoDataset, History]) -> None:
    """A forecast made at a cutoff is identical when everything after the cutoff is erased."""
    _, history = demo
    cutoff = dt.date(2025, 10, 1)
    end = add_months(cutoff, 1)
    instant = dt.datetime(2025, 10, 1)
    known_ids = history.events.filter(pl.col("entered_at") < instant)["opportunity_id"].unique()
    # The past as it was: events before the cutoff, deals created before it, no final status.
    past_events = history.events.filter(pl.col("entered_at") < instant)
    past_opps = history.opportunities.filter(pl.col("id").is_in(known_ids.implode()))
    truncated = History(past_opps, past_events, history.stages, history.list_prices, AS_OF)

    def forecast(h: History) -> int:
        fitted = fit_models(h, cutoff)
        from salesplan.forecast.history import pipeline_at

        deals = prepare_pipeline(h, pipeline_at(h, cutoff), cutoff)
        return forecast_period(
            h, fitted, deals, cutoff, end, "calibrated", sims=500
        ).range.expected_minor

    assert forecast(truncated) == forecast(history)
    assert np.isfinite(forecast(history))
