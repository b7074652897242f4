"""Segment table and ICP ranking against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.segments import MAX_LIFETIME_YEARS, lifetime_years, segment_table
from salesplan.domain.records import RecordKind, conform

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

OPPS = conform(
    RecordKind.OPPORTUNITY,
    pl.DataFrame(
        {
            "id": [f"O{i}" for i in range(7)],
            "segment": ["a", "a", "a", "b", "b", "b", "b"],
            "status": ["won", "won", "lost", "won", "lost", "lost", "lost"],
            "type": ["new"] * 7,
            "created_on": [D(2025, 1, 1)] * 7,
            # Cycles of won deals: a 10 and 30 days, b 100 days.
            "closed_on": [D(2025, 1, 11), D(2025, 1, 31), D(2025, 2, 1), D(2025, 4, 11),
                          D(2025, 2, 1), D(2025, 2, 1), D(2025, 2, 1)],
        }
    ),
).with_columns(pl.Series("amount_plan_minor", [100, 300, 5, 1000, 5, 5, 5]))  # fmt: skip

ACCOUNTS = conform(
    RecordKind.ACCOUNT,
    pl.DataFrame(
        {
            "id": ["A1", "A2", "B1", "B2"],
            "segment": ["a", "a", "b", "b"],
            "customer_since": [D(2024, 1, 1)] * 4,
            "churned_on": [None, None, D(2025, 6, 1), None],
        }
    ),
)


def test_lifetime() -> None:
    assert lifetime_years(0.0) == MAX_LIFETIME_YEARS
    assert lifetime_years(0.5) == 2.0
    assert lifetime_years(0.01) == MAX_LIFETIME_YEARS
    assert lifetime_years(None) is None


def test_segment_table_and_icp_by_hand() -> None:
    a, b = segment_table(OPPS, ACCOUNTS, *YEAR)
    assert (a.segment, b.segment) == ("a", "b")
    assert (a.win_rate.rate, b.win_rate.rate) == pytest.approx((2 / 3, 1 / 4))
    assert (a.avg_deal_minor, b.avg_deal_minor) == (200, 1000)
    assert (a.cycle_median_days, b.cycle_median_days) == (20.0, 100.0)
    assert (a.revenue_share, b.revenue_share) == pytest.approx((400 / 1400, 1000 / 1400))
    # Churn: a none of 2 → lifetime 10 years; b 1 of 2 in a 365-day year → 2 years.
    assert (a.lifetime_years, b.lifetime_years) == pytest.approx((10.0, 2.0))
    assert (a.ltv_proxy_minor, b.ltv_proxy_minor) == (2000, 2000)
    # Pooled 3/7; τ² = 525/1764/7 − (3/7)(4/7)(2/7) < 0, so m = 1000 (full pooling):
    # a (2 + 1000·3/7)/1003 = 0.429283, b (1 + 1000·3/7)/1004 = 0.427860.
    assert a.win_rate_shrunk == pytest.approx((2 + 3000 / 7) / 1003)
    assert b.win_rate_shrunk == pytest.approx((1 + 3000 / 7) / 1004)
    # Score = shrunk × LTV ÷ cycle: a 0.429283 × 2000 / 20, b 0.427860 × 2000 / 100.
    assert a.icp_score == pytest.approx((2 + 3000 / 7) / 1003 * 100)
    assert (a.icp_rank, b.icp_rank, a.icp_fit) == (1, 2, 1.0)
    assert b.icp_fit == pytest.approx(((1 + 3000 / 7) / 1004 * 20) / ((2 + 3000 / 7) / 1003 * 100))


def test_one_segment() -> None:
    (only,) = segment_table(OPPS.filter(pl.col("segment") == "a"), ACCOUNTS, *YEAR)
    assert (only.icp_rank, only.icp_fit, only.revenue_share) == (1, 1.0, 1.0)
    # One group: its own rate is the pooled rate, so shrinking leaves it at 2/3.
    assert only.win_rate_shrunk == pytest.approx(2 / 3)


def test_segment_without_wins_or_customers() -> None:
    lost_only = OPPS.with_columns(pl.lit("lost").alias("status"))
    rows = segment_table(lost_only, ACCOUNTS.clear(), *YEAR)
    assert all(r.icp_rank is None and r.ltv_proxy_minor is None for r in rows)
    assert all(r.churn_borrowed and r.logo_retention.rate is None for r in rows)
