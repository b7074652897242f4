"""Baseline edge cases by hand: missing dates, one segment, a reopened deal."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.funnel import stage_conversion, stage_conversion_by
from salesplan.domain.stages import DEFAULT_STAGES

D, T = dt.date, dt.datetime
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

DEALS = pl.DataFrame(
    {
        "id": ["w1", "w2", "w3", "l1"],
        "segment": ["smb"] * 4,
        "status": ["won", "won", "won", "lost"],
        "created_on": [D(2025, 1, 1), None, D(2025, 1, 1), D(2025, 1, 1)],
        "closed_on": [D(2025, 1, 21), D(2025, 2, 1), None, D(2025, 3, 1)],
        "amount_plan_minor": [100, 200, 999, 50],
    }
)


def test_missing_dates() -> None:
    (overall,) = baseline_groups(DEALS, *YEAR)
    # w3 has no close date: not closed in any period. w2 has no created date: it counts as won
    # but has no cycle; the only cycle is w1's 20 days.
    assert (overall.won, overall.lost, overall.bookings_minor) == (2, 1, 300)
    assert (overall.cycle_median_days, overall.cycle_p90_days) == (20.0, 20.0)
    # Created in 2025: w1, w3, l1 (w2's creation date is unknown): 100 + 999 + 50.
    assert (overall.created, overall.created_minor) == (3, 1149)


def test_one_segment_shrinks_to_itself() -> None:
    (smb,) = baseline_groups(DEALS, *YEAR, ["segment"])
    assert smb.group == {"segment": "smb"}
    assert smb.win_rate.rate == pytest.approx(2 / 3)
    assert smb.win_rate_shrunk == pytest.approx(2 / 3)


EVENTS = pl.DataFrame(
    {
        "opportunity_id": ["r"] * 6 + ["s", "s"],
        "stage_code": [10, 20, 91, 20, 30, 90, 10, 20],
        "entered_at": [T(2025, 1, 1), T(2025, 1, 11), T(2025, 1, 21), T(2025, 2, 1),
                       T(2025, 2, 11), T(2025, 3, 1), T(2025, 1, 1), T(2025, 1, 5)],
    }
)  # fmt: skip


def test_reopened_deal_counts_once_and_by_its_final_path() -> None:
    by_stage = {s.stage: s for s in stage_conversion(EVENTS, DEFAULT_STAGES, *YEAR)}
    qualification = by_stage["qualification"]
    # r entered qualification twice (lost, then reopened): one deal, which advanced to 30.
    # s is still in qualification: unresolved.
    assert (qualification.entered, qualification.advanced, qualification.died) == (2, 1, 0)
    assert qualification.unresolved == 1
    # Days from r's first entry (11 Jan) to its first later stage (30 on 11 Feb): 31.
    assert qualification.median_days_in_stage == pytest.approx(31.0)
    assert by_stage["prospecting"].advanced == 2


def test_stage_conversion_by_segment() -> None:
    deals = pl.DataFrame({"id": ["r", "s"], "segment": ["a", None]})
    parts = stage_conversion_by(EVENTS, deals, DEFAULT_STAGES, *YEAR)
    assert set(parts) == {"a", None}
    a = {s.stage: s for s in parts["a"]}
    assert (a["qualification"].entered, a["qualification"].advanced) == (1, 1)


def test_no_events() -> None:
    rows = stage_conversion(EVENTS.clear(), DEFAULT_STAGES, *YEAR)
    assert all(r.entered == 0 and r.conversion.rate is None for r in rows)
