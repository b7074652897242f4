"""Budget totals, ratios and consistency warnings, computed by hand."""

from __future__ import annotations

import pytest

from salesplan.planning.budget import BudgetLine, check_budget

LINES = [
    BudgetLine("headcount", "AEs", 3_000_000_00),
    BudgetLine("headcount", "SDRs", 1_000_000_00),
    BudgetLine("tools", "CRM", 200_000_00),
    BudgetLine("programs", "Webinars", 500_000_00),
    BudgetLine("promotions", "Trial credits", 300_000_00),
]
# Total = 4,000,000 + 200,000 + 500,000 + 300,000 = ¥5,000,000.00


def test_totals_ratios_and_cac() -> None:
    check = check_budget(
        LINES,
        target_minor=40_000_000_00,
        forecast_p50_minor=30_000_000_00,
        team_cost_minor=3_800_000_00,
        expected_new_customers=120,
        gross_margin=0.8,
        acquisition_share=0.6,
    )
    assert check.total_minor == 5_000_000_00
    assert check.by_category["headcount"] == 4_000_000_00
    assert check.by_category["travel"] == 0
    assert check.cost_of_sales == pytest.approx(5 / 40)  # 12.5% of the target
    # CAC = 5,000,000 × 0.6 ÷ 120 = ¥25,000.00
    assert check.cac_minor == 25_000_00
    # ROI at forecast = (30M × 0.8 − 5M) ÷ 5M = 3.8; at target (40M × 0.8 − 5M) ÷ 5M = 5.4
    assert check.roi_at_forecast == pytest.approx(3.8)
    assert check.roi_at_target == pytest.approx(5.4)
    assert check.warnings == []


def test_inconsistent_budgets_are_flagged_with_their_numbers() -> None:
    check = check_budget(
        LINES,
        target_minor=8_000_000_00,
        forecast_p50_minor=4_000_000_00,
        team_cost_minor=4_500_000_00,
        expected_new_customers=0,
        max_cost_of_sales=0.5,
        has_promotions=False,
    )
    codes = {w.code: w.values for w in check.warnings}
    assert codes["headcount_below_team_cost"] == {
        "headcount": 4_000_000_00,
        "team_cost": 4_500_000_00,
    }
    # 5M ÷ 8M = 62.5% > 50%
    assert codes["cost_of_sales_above_ceiling"]["cost_of_sales"] == pytest.approx(0.625)
    # ROI at target (8M − 5M) ÷ 5M = 0.6 > 0, at forecast (4M − 5M) ÷ 5M = −0.2 < 0
    assert codes["pays_back_only_at_target"]["roi_at_forecast"] == pytest.approx(-0.2)
    assert "promotion_budget_without_promotions" in codes
    assert check.cac_minor is None  # no new customers expected: CAC is undefined, not infinite


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="marketing"):
        check_budget(
            [BudgetLine("marketing", "x", 1)],
            target_minor=1,
            forecast_p50_minor=None,
            team_cost_minor=0,
            expected_new_customers=1,
        )


def test_team_cost_is_prorated_by_days_employed() -> None:
    import datetime as dt

    import polars as pl

    from salesplan.planning.budget import team_cost_in_year

    team = pl.DataFrame(
        {
            "start_date": [dt.date(2020, 1, 1), dt.date(2027, 7, 1), dt.date(2019, 5, 1), None],
            "end_date": [None, None, dt.date(2027, 3, 31), None],
            "annual_cost_minor": [365_000_00, 365_000_00, 365_000_00, None],
        }
    )
    # All year: 365,000.00; from 1 July: 184 days → 184,000.00; to 31 March: 90 days →
    # 90,000.00; no cost: 0. Total ¥639,000.00.
    assert team_cost_in_year(team, 2027) == 639_000_00
