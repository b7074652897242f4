"""Rep performance, prorated quotas and attainment against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.reps import period_quota, rep_performance

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))


def test_period_quota_prorates_by_days_employed() -> None:
    assert period_quota(365_000, *YEAR, None, None) == 365_000
    # Employed from 1 July: 184 days of 2025 → 365000 × 184 / 365 = 184000.
    assert period_quota(365_000, *YEAR, D(2025, 7, 1), None) == 184_000
    # Left on 31 March: 90 days → 90000.
    assert period_quota(365_000, *YEAR, D(2020, 1, 1), D(2025, 3, 31)) == 90_000
    # A leap year has 366 days but never more than one annual quota.
    assert period_quota(365_000, D(2024, 1, 1), D(2025, 1, 1), None, None) == 365_000
    # Q1 2025: 90 days of 1000 → 246.575… → 247 (half-even to a whole minor unit).
    assert period_quota(1000, D(2025, 1, 1), D(2025, 4, 1), None, None) == 247
    assert period_quota(None, *YEAR, None, None) is None


OPPS = pl.DataFrame(
    {
        "owner_id": ["r1", "r1", "r1", "r1", "r2", "r3", "r4"],
        "status": ["won", "won", "lost", "lost", "won", "won", "open"],
        "created_on": [D(2025, 1, 1)] * 7,
        "closed_on": [D(2025, 2, 1)] * 6 + [None],
        "amount_plan_minor": [100, 200, 50, 50, 200, 70, 9],
    }
)  # fmt: skip

TEAM = pl.DataFrame(
    {
        "id": ["r1", "r2", "r4", "r5"],
        "name": ["Ann", "Bo", "Cy", "Di"],
        "role": ["ae", "ae", "ae", "sdr"],
        "start_date": [D(2020, 1, 1), D(2025, 7, 1), None, None],
        "end_date": [None, None, None, None],
        "quota_plan_minor": [1200, 365, 365, None],
    },
    schema_overrides={"end_date": pl.Date},
)


def test_rep_table_and_distribution_by_hand() -> None:
    result = rep_performance(OPPS, TEAM, *YEAR)
    reps = {r.owner_id: r for r in result.reps}
    # r5 has neither closed deals nor a quota; r3 is not in the team but closed a deal.
    assert set(reps) == {"r1", "r2", "r3", "r4"}
    r1 = reps["r1"]
    assert (r1.won, r1.lost, r1.bookings_minor, r1.quota_minor) == (2, 2, 300, 1200)
    assert r1.attainment == pytest.approx(0.25)
    # r2 joined on 1 July: quota 365 × 184 / 365 = 184; bookings 200 → 200/184.
    assert reps["r2"].quota_minor == 184
    assert reps["r2"].attainment == pytest.approx(200 / 184)
    # r4: a quota but nothing closed → attainment 0.
    assert (reps["r4"].bookings_minor, reps["r4"].attainment) == (0, 0.0)
    assert reps["r3"].quota_minor is None and reps["r3"].name is None
    # Attainments 0, 0.25, 1.087: one of three at or above quota; median 0.25.
    assert (result.at_or_above_quota.successes, result.at_or_above_quota.n) == (1, 3)
    assert result.attainment_quantiles is not None
    assert result.attainment_quantiles[2] == pytest.approx(0.25)
    # Shrunk win rates lie between each rep's raw rate and the pooled 4/6.
    for rep in (r1, reps["r2"], reps["r3"]):
        assert rep.win_rate.rate is not None and rep.win_rate_shrunk is not None
        low, high = sorted([rep.win_rate.rate, 4 / 6])
        assert low - 1e-12 <= rep.win_rate_shrunk <= high + 1e-12


def test_no_closed_deals_and_no_team() -> None:
    result = rep_performance(OPPS.clear(), TEAM.clear(), *YEAR)
    assert result.reps == [] and result.attainment_quantiles is None
    assert result.at_or_above_quota.rate is None
