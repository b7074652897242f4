"""Activity volumes and outreach → meeting conversion against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.activities import activity_summary
from salesplan.domain.records import RecordKind, conform

D, T = dt.date, dt.datetime
# Two weeks: [2025-03-03, 2025-03-17).
WEEKS = (D(2025, 3, 3), D(2025, 3, 17))

ACTS = conform(
    RecordKind.ACTIVITY,
    pl.DataFrame(
        {
            "id": [f"A{i}" for i in range(9)],
            "type": ["call", "email", "meeting", "call", "demo", "email", "call", "meeting",
                     "call"],
            "occurred_at": [T(2025, 3, 3, 9), T(2025, 3, 4, 9), T(2025, 3, 5, 9),
                            T(2025, 3, 6, 9), T(2025, 3, 20, 9), T(2025, 3, 10, 9),
                            T(2025, 3, 11, 9), T(2025, 3, 12, 9), T(2025, 2, 1, 9)],
            "owner_id": ["r1", "r1", "r1", "r2", "r2", "r2", "r1", "r1", "r2"],
            "opportunity_id": ["o1", "o1", "o1", "o2", "o2", None, None, None, "o3"],
            "lead_id": [None, None, None, None, None, "l1", "l2", "l2", None],
            "outcome": ["connected", "sent", "completed", "connected", "completed", "sent",
                        "connected", "no_show", "connected"],
        }
    ),
)  # fmt: skip


def test_volumes_by_hand() -> None:
    s = activity_summary(ACTS, *WEEKS)
    # In the window: A0-A3, A5-A7 (A4 is after it, A8 before it) = 7 activities.
    assert (s.total, s.calls, s.emails, s.meetings, s.demos) == (7, 3, 2, 2, 0)
    assert s.weeks == pytest.approx(2.0)
    # Held: A2 (completed); A7 was a no-show.
    assert s.meetings_held == 1
    reps = {r.owner_id: r for r in s.reps}
    # r1: A0, A1, A2, A6, A7 = 5 → 2.5 a week; r2: A3, A5 = 2 → 1 a week.
    assert (reps["r1"].total, reps["r1"].per_week) == (5, 2.5)
    assert (reps["r2"].total, reps["r2"].per_week) == (2, 1.0)
    assert s.per_rep_week_median == pytest.approx(1.75)
    # Outreach in the window: calls A0, A3, A6 and emails A1, A5 = 5; held 1 → 20 per 100.
    assert s.meetings_per_100_touches == pytest.approx(20.0)


def test_outreach_to_meeting_conversion() -> None:
    s = activity_summary(ACTS, *WEEKS)
    # Targets first touched in the window: o1 (A0), o2 (A3), l1 (A5), l2 (A6) = 4; o3's first
    # touch was in February. Converted: o1 (meeting A2 after A0) and o2 (demo A4 after A3,
    # after the window but counted); l2's meeting was a no-show; l1 had none → 2 of 4.
    assert (s.outreach_to_meeting.successes, s.outreach_to_meeting.n) == (2, 4)


def test_no_activities() -> None:
    s = activity_summary(ACTS.clear(), *WEEKS)
    assert (s.total, s.reps, s.per_rep_week_median) == (0, [], None)
    assert s.outreach_to_meeting.rate is None and s.meetings_per_100_touches is None
