"""Activity volumes per rep and week, and how often outreach turns into a meeting or demo.

Activities count when `occurred_at` falls in [start, end). Weeks in the period = days ÷ 7
(a fraction for partial weeks), so per-week figures of a quarter and a year compare.

- Volumes per rep: calls, emails, meetings (booked = any meeting activity), demos, all; each
  also per week. The distribution over reps (median, p25, p75 of activities per week) shows
  the spread.
- Outreach → meeting/demo: the *targets* (opportunity, else lead, else account) with a first
  call, email or social touch in the period; converted = the same target has a meeting or
  demo (any outcome but `no_show`) after that first touch, any time up to the data's end.
  conversion = converted ÷ targets (a Rate). `meetings_per_100_touches` = held meetings and
  demos ÷ outreach activities × 100, both counted in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.rates import Rate, rate

OUTREACH = ("call", "email", "social")
MEETINGS = ("meeting", "demo")


@dataclass(frozen=True, slots=True)
class RepActivity:
    owner_id: str | None
    calls: int
    emails: int
    meetings: int
    demos: int
    total: int
    per_week: float


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    weeks: float
    total: int
    calls: int
    emails: int
    meetings: int
    demos: int
    meetings_held: int
    """Meetings and demos whose outcome is not `no_show`."""
    reps: list[RepActivity]
    per_rep_week_median: float | None
    per_rep_week_p25: float | None
    per_rep_week_p75: float | None
    outreach_to_meeting: Rate
    meetings_per_100_touches: float | None


def _window(activities: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    return activities.filter(
        (pl.col("occurred_at") >= dt.datetime.combine(start, dt.time()))
        & (pl.col("occurred_at") < dt.datetime.combine(end, dt.time()))
    )


def _held() -> pl.Expr:
    return pl.col("type").is_in(MEETINGS) & (pl.col("outcome").fill_null("") != "no_show")


def _counts() -> list[pl.Expr]:
    t = pl.col("type")
    return [
        (t == "call").sum().cast(pl.Int64).alias("calls"),
        (t == "email").sum().cast(pl.Int64).alias("emails"),
        (t == "meeting").sum().cast(pl.Int64).alias("meetings"),
        (t == "demo").sum().cast(pl.Int64).alias("demos"),
        pl.len().cast(pl.Int64).alias("total"),
    ]


def outreach_targets(activities: pl.DataFrame) -> pl.DataFrame:
    """Every target's first outreach (`first_touch`) and whether a held meeting or demo came
    after it (`converted`), over all the data: the input of every period's conversion.

    The target is (kind, id): the opportunity, else the lead, else the account. "A meeting
    after the first touch exists" is "the last meeting is after the first touch", so one
    group_by gives both, without joining meetings to touches."""
    opp, lead, acc = pl.col("opportunity_id"), pl.col("lead_id"), pl.col("account_id")
    kind = pl.when(opp.is_not_null()).then(0).when(lead.is_not_null()).then(1).otherwise(2)
    at = pl.col("occurred_at")
    touch, meeting = pl.col("touch"), pl.col("meeting")
    # Plain min/max of prepared columns: the group_by's fast path (a filter inside the
    # aggregation is much slower at millions of rows).
    return (
        activities.lazy()
        .select(
            kind.cast(pl.Int8).alias("kind"),
            pl.coalesce(opp, lead, acc).alias("target"),
            pl.when(pl.col("type").is_in(OUTREACH)).then(at).alias("touch"),
            pl.when(_held()).then(at).alias("meeting"),
        )
        .filter(pl.col("target").is_not_null() & (touch.is_not_null() | meeting.is_not_null()))
        .group_by("kind", "target")
        .agg(touch.min().alias("first_touch"), meeting.max().alias("last_meeting"))
        .filter(pl.col("first_touch").is_not_null())
        .select(
            pl.col("first_touch").alias("occurred_at"),
            (pl.col("last_meeting") > pl.col("first_touch")).fill_null(False).alias("converted"),
        )
        .collect()
    )


def _conversion(targets: pl.DataFrame, start: dt.date, end: dt.date) -> Rate:
    first = _window(targets, start, end)
    return rate(int(first["converted"].sum()), first.height)


def outreach_conversion(targets: pl.DataFrame, start: dt.date, end: dt.date) -> Rate:
    """Outreach → meeting/demo of the targets first touched in [start, end), from
    `outreach_targets` (see module doc)."""
    return _conversion(targets, start, end)


def activity_count(activities: pl.DataFrame, start: dt.date, end: dt.date) -> int:
    """Activities with `occurred_at` in [start, end) (a count, no copy of the rows)."""
    at = pl.col("occurred_at")
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
    return int(activities.select(((at >= lo) & (at < hi)).sum()).item())


def activity_summary(
    activities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    targets: pl.DataFrame | None = None,
) -> ActivitySummary:
    """Volumes and outreach conversion of activities in [start, end) (see module doc).

    `targets`: `outreach_targets(activities)`, reused across periods when given."""
    columns = ["owner_id", "type", "outcome", "occurred_at"]
    window = _window(activities.select(columns), start, end)  # select first: cheaper copy
    weeks = (end - start).days / 7
    totals = window.select(*_counts(), _held().sum().cast(pl.Int64).alias("held")).row(
        0, named=True
    )
    per_rep = (
        window.group_by("owner_id")
        .agg(_counts())
        .sort(["total", "owner_id"], descending=[True, False], nulls_last=True)
    )  # ties by owner, so the order never depends on the group_by's
    reps = [
        RepActivity(
            owner_id=r["owner_id"],
            calls=r["calls"],
            emails=r["emails"],
            meetings=r["meetings"],
            demos=r["demos"],
            total=r["total"],
            per_week=r["total"] / weeks if weeks else 0.0,
        )
        for r in per_rep.iter_rows(named=True)
    ]
    per_week = pl.Series([r.per_week for r in reps], dtype=pl.Float64)
    outreach = int(window.filter(pl.col("type").is_in(OUTREACH)).height)
    held = int(totals["held"] or 0)

    def q(value: float) -> float | None:
        result = per_week.quantile(value, interpolation="linear") if reps else None
        return None if result is None else float(result)

    return ActivitySummary(
        weeks=weeks,
        total=int(totals["total"]),
        calls=int(totals["calls"] or 0),
        emails=int(totals["emails"] or 0),
        meetings=int(totals["meetings"] or 0),
        demos=int(totals["demos"] or 0),
        meetings_held=held,
        reps=reps,
        per_rep_week_median=q(0.5),
        per_rep_week_p25=q(0.25),
        per_rep_week_p75=q(0.75),
        outreach_to_meeting=_conversion(
            outreach_targets(activities) if targets is None else targets, start, end
        ),
        meetings_per_100_touches=100 * held / outreach if outreach else None,
    )
