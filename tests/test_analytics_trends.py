"""YoY and QoQ comparison against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.trends import METRICS, compare, last_complete_quarter, trends
from salesplan.domain.records import RecordKind, conform

D = dt.date


def test_last_complete_quarter() -> None:
    assert last_complete_quarter(D(2026, 1, 1)) == (D(2025, 10, 1), D(2026, 1, 1))
    assert last_complete_quarter(D(2026, 3, 16)) == (D(2025, 10, 1), D(2026, 1, 1))
    assert last_complete_quarter(D(2025, 10, 1)) == (D(2025, 7, 1), D(2025, 10, 1))


def test_compare_changes_and_relative_changes() -> None:
    rows = {t.metric: t for t in compare(
        {"win_rate": 0.3, "bookings": 1500, "deals_won": 0, "churn": None},
        {"win_rate": 0.25, "bookings": 1000, "deals_won": 0, "churn": 0.1},
    )}  # fmt: skip
    assert [t for t, _ in METRICS] == list(rows)
    assert rows["win_rate"].change == pytest.approx(0.05)  # in fraction points
    assert rows["win_rate"].relative_change == pytest.approx(0.2)
    assert (rows["bookings"].change, rows["bookings"].relative_change) == (500, 0.5)
    assert rows["deals_won"].relative_change is None  # previous is 0
    assert rows["churn"].change is None  # current unknown


def test_trends_on_frames_by_hand() -> None:
    opps = conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": ["a", "b", "c", "d"],
                "status": ["won", "lost", "won", "won"],
                "created_on": [D(2024, 1, 1), D(2024, 1, 1), D(2025, 1, 1), D(2025, 7, 1)],
                "closed_on": [D(2024, 2, 1), D(2024, 11, 1), D(2025, 11, 1), D(2025, 8, 1)],
            }
        ),
    ).with_columns(pl.Series("amount_plan_minor", [100, 50, 300, 200]))
    empty = {k: conform(k, pl.DataFrame()) for k in RecordKind}
    result = trends(
        opps, empty[RecordKind.LEAD], empty[RecordKind.ACCOUNT], empty[RecordKind.ACTIVITY],
        D(2025, 1, 1), D(2026, 1, 1),
    )  # fmt: skip
    yoy = {t.metric: t for t in result.yoy}
    # 2025: won c, d (2 of 2), bookings 500; 2024: won a, lost b (1 of 2), bookings 100.
    assert (yoy["win_rate"].current, yoy["win_rate"].previous) == (1.0, 0.5)
    assert (yoy["bookings"].change, yoy["bookings"].relative_change) == (400, 4.0)
    # QoQ: 2025Q4 (c, 300) against 2025Q3 (d, 200).
    assert result.quarter == (D(2025, 10, 1), D(2026, 1, 1))
    qoq = {t.metric: t for t in result.qoq}
    assert (qoq["bookings"].current, qoq["bookings"].previous) == (300, 200)
    assert qoq["leads"].current == 0 and qoq["churn"].current is None
