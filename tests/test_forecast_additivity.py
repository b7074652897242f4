"""Forecasts add up: months → quarter → year, for both methods (small demo, seed 7).

Every part of the expectation is computed per calendar month and summed (bookings.py): the
closed part, the pipeline part (P(win) · P(in month | win), the monthly timing shares of one
deal sum over months to its P(in period | win)) and the run-rate (one monthly model,
runrate.py). So the expected value of a quarter equals the sum of its months' exactly, in
minor units, and a year the sum of its quarters'. P10/P90 of a sum are not sums; only the
expectation must add up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salesplan.analytics.currency import to_plan_currency
from salesplan.demo import generate
from salesplan.domain.periods import add_months
from salesplan.domain.records import RecordKind
from salesplan.forecast.bookings import (
    FittedModels,
    PeriodForecast,
    fit_models,
    forecast_period,
    prepare_pipeline,
)
from salesplan.forecast.history import History, build_history, current_pipeline

AS_OF = dt.date(2026, 11, 28)
EXPONENTS = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2}


@pytest.fixture(scope="module")
def fitted() -> tuple[History, FittedModels, object]:
    data = generate("small", 7, AS_OF)
    rates = data.frames[RecordKind.FX_RATE]
    opportunities = to_plan_currency(
        data.frames[RecordKind.OPPORTUNITY], rates, "CNY", EXPONENTS, on="close_date"
    )
    history = build_history(
        opportunities, data.frames[RecordKind.STAGE_EVENT], data.stages,
        rates=rates, products=data.frames[RecordKind.PRODUCT], plan_currency="CNY",
        exponents=EXPONENTS, as_of=AS_OF,
    )  # fmt: skip
    cutoff = AS_OF + dt.timedelta(days=1)
    models = fit_models(history, cutoff)
    deals = prepare_pipeline(history, current_pipeline(history), cutoff)
    return history, models, deals


def _forecast(
    fitted: tuple[History, FittedModels, object], start: dt.date, end: dt.date, method: str
) -> PeriodForecast:
    history, models, deals = fitted
    return forecast_period(history, models, deals, start, end, method, sims=200)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["calibrated", "stage"])
def test_months_add_up_to_quarters_and_quarters_to_the_year(
    fitted: tuple[History, FittedModels, object], method: str
) -> None:
    year = _forecast(fitted, dt.date(2027, 1, 1), dt.date(2028, 1, 1), method)
    quarter_total = 0
    for q in range(4):
        start = dt.date(2027, 3 * q + 1, 1)
        quarter = _forecast(fitted, start, add_months(start, 3), method)
        months = [_forecast(fitted, add_months(start, i), add_months(start, i + 1), method)
                  for i in range(3)]  # fmt: skip
        # Exact in minor units: the expectation and each of its parts.
        assert sum(m.range.expected_minor for m in months) == quarter.range.expected_minor
        assert sum(m.pipeline_expected_minor for m in months) == quarter.pipeline_expected_minor
        assert sum(m.runrate.expected_minor for m in months) == quarter.runrate.expected_minor
        # A deal's monthly probabilities add up to its quarter probability (floats).
        for column in ("p_period",):
            total = sum(m.deals[column].to_numpy() for m in months)
            assert total == pytest.approx(quarter.deals[column].to_numpy(), abs=1e-12)
        quarter_total += quarter.range.expected_minor
    assert quarter_total == year.range.expected_minor
    # Before the fix the quarters summed to 1.38× the year; now the run-rate is one model.
    assert year.runrate.method in ("ets", "mean3")
    assert year.range.p10_minor <= year.range.expected_minor <= year.range.p90_minor


def test_the_current_quarter_adds_closed_and_open_months(
    fitted: tuple[History, FittedModels, object],
) -> None:
    # 2026Q4 seen on 29 Nov: October is over (closed only), November half over, December ahead.
    start = dt.date(2026, 10, 1)
    quarter = _forecast(fitted, start, dt.date(2027, 1, 1), "calibrated")
    months = [_forecast(fitted, add_months(start, i), add_months(start, i + 1), "calibrated")
              for i in range(3)]  # fmt: skip
    assert sum(m.range.expected_minor for m in months) == quarter.range.expected_minor
    assert sum(m.closed_minor for m in months) == quarter.closed_minor
    october = months[0]
    # October ended before the cutoff: nothing from the pipeline or the run-rate.
    assert october.pipeline_expected_minor == 0 and october.runrate.expected_minor == 0
    assert october.range.expected_minor == october.closed_minor
