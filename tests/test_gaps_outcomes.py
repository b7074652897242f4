"""Outcome and behaviour gaps on constructed inputs, with the money worked out by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl

from salesplan.analytics.rates import rate
from salesplan.analytics.retention import Retention
from salesplan.domain.periods import add_months
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.planning.capacity import TeamCapacity
from salesplan.planning.gaps import (
    Confidence,
    CoverageInput,
    GapInputs,
    GapType,
    Outlook,
    find_gaps,
    rank,
)
from salesplan.planning.gaps_outcomes import capacity_gap, coverage_gaps, forecast_gaps
from salesplan.planning.gaps_signals import QualitativeNote, qualitative_gaps, retention_gaps
from salesplan.planning.reverse_funnel import FunnelInputs, reverse_funnel

W = 9 / 39
"""Win rate by value of the constructed deals (see the pipeline test)."""


def _pipeline_deals() -> pl.DataFrame:
    # Deals of 1,000,000 each: four a month from 2025-11 to 2026-12, but only one a month in
    # 2026-02, 2026-03 and 2026-04 (the months that feed Q2's closes with a two-month cycle).
    # Each deal closes 15 days after creation; in a month of four, the first is won.
    rows = []
    month = dt.date(2025, 11, 1)
    while month < dt.date(2027, 1, 1):
        count = 1 if month in (dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)) else 4
        for i in range(count):
            rows.append(
                {
                    "id": f"{month.isoformat()}-{i}",
                    "owner_id": "R1",
                    "segment": "smb",
                    "region": "east",
                    "status": "won" if count == 4 and i == 0 else "lost",
                    "created_on": month,
                    "closed_on": month + dt.timedelta(days=15),
                    "close_date": month + dt.timedelta(days=15),
                    "amount_plan_minor": 1_000_000,
                    "type": "new",
                }
            )
        month = add_months(month, 1)
    return pl.DataFrame(rows)


def test_a_quarter_with_too_little_pipeline_created_ranks_first() -> None:
    # Window 2026: 9 months × 4 deals (1 won) + 3 months × 1 lost deal: w = 9/39 by value.
    # Target 12,000,000 spread evenly; pipeline to create = ⌈12,000,000 ÷ (9/39)⌉ = 52,000,000,
    # 4,333,333 or 4,333,334 a month; cycle 61 days → created two months before the close.
    opps = _pipeline_deals()
    funnel = reverse_funnel(
        FunnelInputs(
            target_minor=12_000_000, monthly_target_minor=[1_000_000] * 12, year=2026,
            avg_deal_minor=1_000_000, win_rate=0.25, win_rate_value=W, cycle_days=61,
            stage_conversion=[],
        )
    )  # fmt: skip
    events = pl.DataFrame(
        schema={"opportunity_id": pl.String, "stage": pl.String, "stage_code": pl.Int32,
                "entered_at": pl.Datetime("us"), "amount_minor": pl.Int64,
                "close_date": pl.Date}
    )  # fmt: skip
    gaps = find_gaps(
        GapInputs(
            period="2026", as_of=dt.date(2026, 12, 31), opportunities=opps, events=events,
            stages=DEFAULT_STAGES, window=(dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
            funnel=funnel,
        )
    )  # fmt: skip
    top = gaps[:3]
    assert [g.type for g in top] == [GapType.PIPELINE_CREATION] * 3
    assert [g.period for g in top] == ["2026-04", "2026-05", "2026-06"]
    required = {g.period: int(g.benchmark or 0) for g in top}
    assert sum(funnel.months[m].pipeline_minor for m in range(12)) == 52_000_000
    for g in top:
        # at stake = (required − created 1,000,000) × 9/39, half-even to the minor unit:
        # 3,333,333 × 9/39 = 769,230.69 → 769,231; 3,333,334 × 9/39 = 769,231.0 → 769,231.
        missing = required[g.period] - 1_000_000
        assert g.at_stake_minor == round(Fraction(missing * 9, 39))
        assert g.terms["created_in"] == {"2026-04": "2026-02-01", "2026-05": "2026-03-01",
                                         "2026-06": "2026-04-01"}[g.period]  # fmt: skip
    # Months fed by four deals (4,000,000 < 4,333,333) are short too, but by far less.
    assert all(g.at_stake_minor < 100_000 for g in gaps[3:])


def test_forecast_gap_uses_p50_and_keeps_the_downside() -> None:
    gaps = forecast_gaps(
        [
            Outlook("2026Q2", {}, 1_000, 700, 900, 1_100, "calibrated"),  # target inside range
            Outlook("2026Q3", {}, 1_000, 400, 500, 600, "calibrated"),  # clearly short
            Outlook("2026Q4", {}, 1_000, 1_000, 1_200, 1_400, "calibrated"),  # P10 meets it
        ]
    )
    q2, q3 = gaps
    assert q2.at_stake_minor == 100 and q2.terms["downside_minor"] == 300  # 1,000 − 900; − 700
    assert q2.confidence is Confidence.LOW  # the target lies within P10–P90
    assert q3.at_stake_minor == 500 and q3.confidence is Confidence.HIGH
    assert [g.period for g in rank(gaps)] == ["2026Q3", "2026Q2"]


def test_capacity_and_coverage() -> None:
    capacity = TeamCapacity(2026, Fraction(4, 5), Fraction(0), (), (0,) * 12, 8_000)
    (gap,) = capacity_gap("2026", 10_000, capacity, None)
    assert gap.at_stake_minor == 2_000  # 10,000 − 8,000
    assert capacity_gap("2026", 8_000, capacity, None) == []
    as_of = dt.date(2026, 3, 15)
    periods = [
        CoverageInput("2026-04", dt.date(2026, 4, 1), 1_000, 1_500, 2.0, 40, "month"),
        CoverageInput("2026-05", dt.date(2026, 5, 1), 1_000, 0, 2.0, 0, "month"),  # not next
        CoverageInput("2026Q2", dt.date(2026, 4, 1), 3_000, 12_000, 4.0, 40, "quarter"),  # 4x met
    ]
    (gap,) = coverage_gaps(periods, 0.25, as_of)
    # April: required 2.0 × 1,000 = 2,000, open 1,500: at stake 500 × 0.25 = 125.
    assert (gap.period, gap.at_stake_minor, gap.actual) == ("2026-04", 125, 1.5)


def _retention(customers: int, churned: int) -> Retention:
    return Retention(
        None, True, customers, churned, customers - churned, 0, customers - churned, 0,
        rate(customers - churned, customers), rate(churned, customers), None, rate(0, 0),
        None, None, 0, 50_000 * customers,
    )  # fmt: skip


def test_retention_gap_against_last_year() -> None:
    # 200 customers, churn 30/200 = 15 % against 20/200 = 10 % a year earlier; each customer
    # booked 50,000 in the year before: at stake = 200 × 0.05 × 50,000 = 500,000.
    (gap,) = retention_gaps(
        [_retention(200, 30)], [_retention(200, 20)], period="2026", window_label="last-12m"
    )
    assert gap.type is GapType.RETENTION and gap.at_stake_minor == 500_000
    assert retention_gaps([_retention(200, 20)], [_retention(200, 30)], period="2026",
                          window_label="last-12m") == []  # fmt: skip


def test_qualitative_notes_keep_distinct_ids() -> None:
    notes = [
        QualitativeNote("stale_collateral", "No case study newer than 2023."),
        QualitativeNote("stale_collateral", "Pricing sheet still shows the old plans."),
        QualitativeNote("something_else", "Reps do not trust the CRM.", estimate_minor=5_000),
    ]
    gaps = rank(qualitative_gaps(notes, period="2026"))
    assert len({g.id for g in gaps}) == 3
    assert gaps[0].type is GapType.OTHER and gaps[0].at_stake_minor == 5_000
    assert gaps[0].note == "Reps do not trust the CRM."


def test_rank_is_by_money_then_confidence_then_id() -> None:
    a = forecast_gaps([Outlook("2026Q1", {}, 1_000, 700, 900, 1_100, "m")])[0]  # 100, low
    b = forecast_gaps([Outlook("2026Q2", {}, 1_000, 850, 900, 950, "m")])[0]  # 100, high
    assert [g.period for g in rank([a, b])] == ["2026Q2", "2026Q1"]


def test_a_p50_above_target_is_a_downside_risk_not_a_shortfall() -> None:
    (gap,) = forecast_gaps([Outlook("2027Q1", {}, 1_000, 800, 1_200, 1_500, "calibrated")])
    # P50 1,200 ≥ target 1,000: nothing at stake, but P10 800 misses it by 200.
    assert gap.type is GapType.FORECAST_DOWNSIDE
    assert gap.at_stake_minor == 0
    assert gap.terms["downside_minor"] == 200
