"""Hand-made cases for each forecast piece: history rebuild, stage, amounts, timing, hygiene,
run-rate and the calibrated estimator's shrinkage, on a few deals worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.domain.records import RecordKind, conform, empty_frame
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.forecast.amounts import impute_amounts
from salesplan.forecast.calibrated import CalibratedEstimator, reliability
from salesplan.forecast.history import (
    History,
    build_history,
    current_pipeline,
    outcomes_at,
    pipeline_at,
    won_between,
)
from salesplan.forecast.hygiene import close_date_pushes, pipeline_hygiene
from salesplan.forecast.runrate import fit_runrate
from salesplan.forecast.stage import StageEstimator

D = dt.date
AS_OF = D(2026, 3, 15)


def _opp(id_: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": id_, "owner_id": "EMP-1", "currency": "CNY", "segment": "smb", "type": "new",
        "source": "inbound", "product": None, "amount_minor": 100_000, "status": "open",
        "created_on": D(2026, 1, 5), "forecast_category": "pipeline",
    }  # fmt: skip
    row.update(fields)
    return row


def _event(
    id_: str, code: int, when: dt.datetime, amount: int | None, close: dt.date
) -> dict[str, object]:
    key = next(s.key for s in DEFAULT_STAGES.stages if s.code == code)
    return {"opportunity_id": id_, "stage": key, "stage_code": code, "entered_at": when,
            "amount_minor": amount, "close_date": close}  # fmt: skip


def _history(opps: list[dict[str, object]], events: list[dict[str, object]]) -> History:
    frame = conform(RecordKind.OPPORTUNITY, pl.DataFrame(opps))
    frame = frame.with_columns(pl.col("amount_minor").alias("amount_plan_minor"))
    ev = (
        conform(RecordKind.STAGE_EVENT, pl.DataFrame(events))
        if events
        else empty_frame(RecordKind.STAGE_EVENT)
    )
    products = conform(
        RecordKind.PRODUCT,
        pl.DataFrame({"id": ["PRD-1"], "list_price_minor": [5_000_000], "currency": ["CNY"]}),
    )
    rates = empty_frame(RecordKind.FX_RATE)
    return build_history(
        frame, ev, DEFAULT_STAGES, rates=rates, products=products, plan_currency="CNY",
        exponents={"CNY": 2}, as_of=AS_OF,
    )  # fmt: skip


def T(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10)


def test_reopened_deal_is_open_again_and_closed_in_between() -> None:
    # Lost on 1 Feb, reopened at qualification on 10 Feb, still open on 15 Mar.
    h = _history(
        [_opp("R", stage_code=20)],
        [
            _event("R", 10, T(2026, 1, 5), 100_000, D(2026, 2, 28)),
            _event("R", 91, T(2026, 2, 1), 100_000, D(2026, 2, 1)),
            _event("R", 20, T(2026, 2, 10), 120_000, D(2026, 4, 30)),
        ],
    )
    assert pipeline_at(h, D(2026, 1, 20))["stage_code"].to_list() == [10]
    assert pipeline_at(h, D(2026, 2, 5)).height == 0  # closed lost at that instant
    reopened = pipeline_at(h, D(2026, 3, 1))
    assert reopened["stage_code"].to_list() == [20]
    assert reopened["amount_plan_minor"].to_list() == [120_000]
    # 1 Mar 00:00 − 10 Feb 10:00 = 18 days 14 hours = 18.583 days in stage.
    assert reopened["days_in_stage"][0] == pytest.approx(18 + 14 / 24)
    assert outcomes_at(h, D(2026, 2, 5))["outcome"].to_list() == ["lost"]
    assert outcomes_at(h, D(2026, 3, 1))["outcome"].to_list() == ["open"]


def test_skipped_stages_and_missing_events_are_completed() -> None:
    h = _history(
        [
            _opp(
                "S", status="won", stage_code=90, closed_on=D(2026, 3, 1), close_date=D(2026, 3, 1)
            ),
            _opp("N", stage_code=40, close_date=D(2026, 4, 1)),  # no events at all
        ],
        # S jumps from prospecting to proposal; its closing event is missing.
        [
            _event("S", 10, T(2026, 1, 5), 100_000, D(2026, 3, 1)),
            _event("S", 50, T(2026, 2, 1), 100_000, D(2026, 3, 1)),
        ],
    )
    assert pipeline_at(h, D(2026, 2, 10)).sort("opportunity_id")["stage_code"].to_list() == [40, 50]
    assert outcomes_at(h, D(2026, 3, 10)).sort("opportunity_id")["outcome"].to_list() == [
        "open",
        "won",
    ]
    assert won_between(h, D(2026, 3, 1), D(2026, 4, 1))["amount_plan_minor"].to_list() == [100_000]


def test_stage_method_counts_only_deals_dated_in_the_period() -> None:
    h = _history(
        [
            _opp("A", stage_code=50, close_date=D(2026, 4, 10)),
            _opp("B", stage_code=60, close_date=D(2026, 3, 1)),
        ],
        [],
    )
    deals = current_pipeline(h).sort("opportunity_id")
    est = StageEstimator().fit(h, AS_OF)
    assert est.predict(deals).to_list() == [0.6, 0.8]
    assert StageEstimator.in_window(deals, D(2026, 4, 1), D(2026, 7, 1)).to_list() == [1.0, 0.0]


def test_missing_amounts_are_imputed_and_flagged() -> None:
    h = _history(
        [
            _opp("P", amount_minor=None, product="PRD-1"),
            _opp("Z", amount_minor=0),
            _opp("K1", amount_minor=100),
            _opp("K2", amount_minor=300),
        ],
        [],
    )
    out = impute_amounts(current_pipeline(h), h, AS_OF).sort("opportunity_id")
    # K1, K2 keep their amounts; the smb median of the known amounts 100, 300 = 200 (P's
    # product has a list price, Z has none).
    assert out["amount_plan_minor"].to_list() == [100, 300, 5_000_000, 200]
    assert out["amount_imputed"].to_list() == [None, None, "list_price", "segment_median"]


def test_hygiene_flags_past_dates_pushes_and_missing_next_steps() -> None:
    h = _history(
        [
            _opp(
                "H",
                stage_code=20,
                close_date=D(2026, 6, 1),
                next_step="call",
                next_step_date=D(2026, 3, 20),
                last_activity_on=D(2026, 3, 10),
            ),
            _opp("Q", stage_code=10, close_date=D(2026, 3, 1), amount_minor=None),
        ],
        [
            _event("H", 10, T(2026, 1, 5), 100_000, D(2026, 2, 1)),
            _event("H", 20, T(2026, 2, 1), 100_000, D(2026, 3, 1)),  # pushed once
            _event("Q", 10, T(2026, 1, 5), None, D(2026, 3, 1)),
        ],
    )
    # H: 1 Feb → 1 Mar (event) → 1 Jun (now) = two pushes.
    pushes = dict(close_date_pushes(h).iter_rows())
    assert pushes == {"H": 2, "Q": 0}
    result = pipeline_hygiene(h, inactive_days=30).deals.sort("opportunity_id")
    h_row, q_row = result.row(0, named=True), result.row(1, named=True)
    assert h_row["close_date_pushed"] and not h_row["no_next_step"]
    assert not h_row["past_close_date"] and not h_row["no_recent_activity"]
    assert q_row["past_close_date"] and q_row["no_next_step"] and q_row["missing_amount"]
    assert q_row["no_recent_activity"]


def test_runrate_shares_count_only_deals_created_after_each_past_cutoff() -> None:
    h = _history(
        [
            # Created and won in January: counts for January.
            _opp(
                "J",
                status="won",
                stage_code=90,
                created_on=D(2026, 1, 3),
                closed_on=D(2026, 1, 20),
                amount_minor=700,
            ),
            # Created in January, won in February: in the pipeline at 1 Feb, so not run-rate.
            _opp(
                "F",
                status="won",
                stage_code=90,
                created_on=D(2026, 1, 10),
                closed_on=D(2026, 2, 5),
                amount_minor=900,
            ),
            _opp(
                "G",
                status="won",
                stage_code=90,
                created_on=D(2026, 2, 2),
                closed_on=D(2026, 2, 25),
                amount_minor=50,
            ),
            # Lost in December: the data starts on 1 Dec, so December is a (zero) window too.
            _opp(
                "L",
                status="lost",
                stage_code=91,
                created_on=D(2025, 12, 1),
                closed_on=D(2025, 12, 20),
                amount_minor=10,
            ),
        ],
        [],
    )
    # Seen at 1 Mar 2026; the data starts 1 Dec. Monthly bookings Dec 0, Jan 700, Feb 950.
    # Share of month-k bookings from deals created after a cutoff k months earlier
    # (cutoffs 1 Feb, 1 Jan, 1 Dec; too few months per month-of-quarter: pooled over them):
    #   k=0: (G 50 of Feb's 950) + (J 700 of Jan's 700) + (0 of Dec's 0) → 750 / 1650
    #   k=1: (F+G 950 of Feb's 950) + (J 700 of Jan's 700) → 1650 / 1650 = 1
    # Level: fewer than 8 months → the mean of the last three, (0 + 700 + 950) / 3 = 550.
    # March = 750/1650 × 550 = 250; April = 1 × 550 = 550; both = 800.
    model = fit_runrate(h, D(2026, 3, 1))
    assert model.history_minor == [0, 700, 950]
    assert model.method == "mean3"
    assert model.months(D(2026, 3, 1), D(2026, 5, 1)) == [250, 550]
    both = model.period(D(2026, 3, 1), D(2026, 5, 1))
    assert both.expected_minor == 800 and both.months_minor == [250, 550]
    # A month before the cutoff's month has no run-rate.
    assert model.months(D(2026, 2, 1), D(2026, 3, 1)) == [0]


def test_reliability_table_and_brier_by_hand() -> None:
    # Predictions 0.1, 0.1, 0.9, 0.9 with outcomes 0, 1, 1, 1:
    # bin 0.1: mean p 0.1, observed 0.5 → |0.4| × 2/4; bin 0.9: 0.9 vs 1.0 → 0.1 × 2/4.
    # ECE = 0.2 + 0.05 = 0.25; Brier = (0.01 + 0.81 + 0.01 + 0.01) / 4 = 0.21.
    cal = reliability(
        pl.Series([0.1, 0.1, 0.9, 0.9]).to_numpy(), pl.Series([0, 1, 1, 1]).to_numpy()
    )
    assert cal.ece == pytest.approx(0.25)
    assert cal.brier == pytest.approx(0.21)
    assert [b.n for b in cal.bins] == [2, 2]


def test_calibrated_on_an_empty_pipeline_predicts_nothing() -> None:
    h = _history([_opp("W", status="won", stage_code=90, closed_on=D(2026, 2, 1))], [])
    est = CalibratedEstimator().fit(h, AS_OF)
    assert est.predict(current_pipeline(h)).len() == 0
