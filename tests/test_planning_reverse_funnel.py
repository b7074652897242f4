"""The reverse funnel and the pipeline-coverage formula, worked by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.planning.reverse_funnel import (
    FunnelInputs,
    lead_rates,
    required_coverage,
    reverse_funnel,
)


def test_coverage_formula_against_the_worked_examples() -> None:
    # The docstring's derivation: coverage = min(1, L ÷ P) ÷ w.
    # Published rule of thumb: a 25% win rate needs 4x; 3x is the case w = 1/3 (L ≥ P).
    assert required_coverage(0.25, 3, 3) == pytest.approx(4.0)
    assert required_coverage(1 / 3, 6, 3) == pytest.approx(3.0)
    # A 45-day cycle (1.5 months) in a quarter: half the bookings are created in-quarter,
    # (1.5 ÷ 3) ÷ 0.25 = 2x.
    assert required_coverage(0.25, 1.5, 3) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        required_coverage(0.0, 1, 3)


def test_reverse_funnel_by_hand() -> None:
    funnel = reverse_funnel(
        FunnelInputs(
            target_minor=120_000_000,  # ¥1,200,000.00
            monthly_target_minor=[10_000_000] * 12,
            year=2027,
            avg_deal_minor=5_000_000,  # ¥50,000.00
            win_rate=0.25,
            win_rate_value=0.2,
            cycle_days=45.65625,  # 1.5 × 30.4375
            stage_conversion=[("prospecting", 0.5), ("proposal", 0.8)],
            lead_to_mql=0.2,
            mql_to_sql=0.4,
            sql_to_opportunity=0.5,
            activities_per_opportunity={"call": 10.0, "email": 12.5},
            reps=4,
            weeks_per_year=48,
        )
    )
    # won = 120,000,000 ÷ 5,000,000 = 24; opportunities = 24 ÷ 0.25 = 96;
    # pipeline value = 120,000,000 ÷ 0.2 = 600,000,000.
    assert (funnel.won, funnel.opportunities, funnel.pipeline_minor) == (24, 96, 600_000_000)
    # proposal: ⌈24 ÷ 0.8⌉ = 30; prospecting: ⌈30 ÷ 0.5⌉ = 60.
    assert funnel.stage_entries == (("prospecting", 0.5, 60), ("proposal", 0.8, 30))
    # SQL = 96 ÷ 0.5 = 192; MQL = 192 ÷ 0.4 = 480; leads = 480 ÷ 0.2 = 2,400.
    assert (funnel.sql, funnel.mql, funnel.leads) == (192, 480, 2400)
    # Calls 96 × 10 = 960, emails 96 × 12.5 = 1,200; 4 reps × 48 weeks = 192 rep-weeks.
    assert funnel.activities == {"call": 960, "email": 1200}
    assert funnel.activities_per_rep_week == {"call": 5.0, "email": 6.25}
    # Cycle 1.5 months → round half even → 2 months earlier; coverage 2.5x a quarter, 5x a month.
    assert funnel.shift_months == 2
    assert funnel.coverage_quarter == pytest.approx(2.5)
    assert funnel.coverage_month == pytest.approx(5.0)
    january = funnel.months[0]
    assert january.create_in == dt.date(2026, 11, 1)
    assert (january.won, january.opportunities, january.pipeline_minor) == (2, 8, 50_000_000)
    assert sum(m.opportunities for m in funnel.months) == 96


def test_lead_rates() -> None:
    # Ten leads created in 2026: 6 reached MQL, 3 of them SQL, 2 of those converted;
    # one lead from 2025 is outside the window.
    d = dt.date(2026, 3, 1)
    leads = pl.DataFrame(
        {
            "created_on": [d] * 10 + [dt.date(2025, 6, 1)],
            "mql_on": [d] * 6 + [None] * 4 + [d],
            "sql_on": [d] * 3 + [None] * 8,
            "converted_on": [d] * 2 + [None] * 9,
            "opportunity_id": ["o1", "o2"] + [None] * 9,
        }
    )
    rates = lead_rates(leads, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert rates.leads == 10
    assert rates.to_mql.rate == pytest.approx(0.6)
    assert rates.mql_to_sql.rate == pytest.approx(0.5)
    assert rates.sql_to_opportunity.rate == pytest.approx(2 / 3)
