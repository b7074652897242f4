"""Retention, churn, renewals and NRR against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.retention import retention
from salesplan.domain.records import RecordKind, conform

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

ACCOUNTS = conform(
    RecordKind.ACCOUNT,
    pl.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E", "F"],
            "segment": ["smb", "smb", "ent", "ent", "ent", "ent"],
            "customer_since": [D(2023, 1, 1), D(2024, 6, 1), D(2025, 2, 1), D(2022, 1, 1), None,
                               D(2024, 1, 1)],
            "churned_on": [None, D(2025, 3, 1), None, D(2024, 12, 31), D(2025, 5, 1),
                           D(2026, 2, 1)],
        }
    ),
)  # fmt: skip

# The 365 days before 2025-01-01 start on 2024-01-02 (2024 is a leap year).
OPPS = pl.DataFrame(
    {
        "account_id": ["A", "B", "A", "F", "A", "F", "B"],
        "type": ["renewal", "renewal", "renewal", "expansion", "new", "new", "new"],
        "status": ["won", "lost", "won", "won", "won", "won", "won"],
        "closed_on": [D(2025, 4, 1), D(2025, 3, 1), D(2024, 5, 1), D(2025, 6, 1), D(2024, 3, 1),
                      D(2024, 2, 1), D(2024, 6, 1)],
        "amount_plan_minor": [1200, 300, 100, 300, 1000, 500, 400],
    }
)  # fmt: skip


def test_overall_retention_by_hand() -> None:
    overall = retention(ACCOUNTS, OPPS, *YEAR)[0]
    # At start: A, B, F (D churned before, C joined later, E has no customer_since).
    assert (overall.customers_at_start, overall.churned, overall.retained) == (3, 1, 2)
    assert (overall.new_customers, overall.customers_at_end, overall.missing_since) == (1, 3, 1)
    assert overall.logo_retention.rate == pytest.approx(2 / 3)
    assert overall.churn.rate == pytest.approx(1 / 3)
    # A 365-day period: annualised churn = 1 − (2/3)^1 = 1/3.
    assert overall.annualised_churn == pytest.approx(1 / 3)
    # Renewals closed in 2025: won 1200, lost 300.
    assert (overall.renewal.successes, overall.renewal.n) == (1, 2)
    assert overall.renewal_value_rate == pytest.approx(1200 / 1500)
    # Cohort A, B, F: 2025 won 1200 + 300 = 1500; before: 100 + 1000 + 500 + 400 = 2000.
    assert (overall.cohort_bookings_minor, overall.cohort_previous_bookings_minor) == (1500, 2000)
    assert overall.nrr == pytest.approx(0.75)


def test_retention_by_segment() -> None:
    rows = {r.segment: r for r in retention(ACCOUNTS, OPPS, *YEAR)[1:]}
    assert (rows["smb"].customers_at_start, rows["smb"].churned) == (2, 1)
    ent = rows["ent"]
    counts = (ent.customers_at_start, ent.churned, ent.new_customers, ent.missing_since)
    assert counts == (1, 0, 1, 1)
    # ent cohort F: 2025 300 (expansion) ÷ 2024 500.
    assert ent.nrr == pytest.approx(0.6)


def test_no_renewals_no_nrr_and_no_customers() -> None:
    no_renewals = OPPS.filter(pl.col("type") != "renewal")
    assert retention(ACCOUNTS, no_renewals, *YEAR, by_segment=False)[0].nrr is None
    empty = retention(ACCOUNTS.clear(), OPPS.clear(), *YEAR)
    assert len(empty) == 1
    assert empty[0].churn.rate is None and empty[0].annualised_churn is None
