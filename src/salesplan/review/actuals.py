"""Actuals against the plan's targets for a period and the year to date, and the re-spread
of the remaining annual target.

Targets are twelve month amounts (minor units, January first) that add up exactly to the
year's target; a period's target is the sum of its months. Actuals are won deals' amounts by
close date, counted up to the data's cutoff (the day after the as-of date), so a running
period shows what is booked so far against its full target beside the share elapsed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from salesplan.planning.decomposition import Weight, allocate, split_table

SCOPES = ("region", "segment", "owner")
"""Group scopes of a review; `owner` is the deal's owner_id."""
COLUMNS = {"region": "region", "segment": "segment", "owner": "owner_id"}


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One line of actual against target; `group` is None for the whole team."""

    scope: str
    """`total`, `region`, `segment` or `owner`."""
    group: str | None
    period_target_minor: int | None
    period_actual_minor: int
    ytd_target_minor: int | None
    ytd_actual_minor: int

    @property
    def period_attainment(self) -> float | None:
        return attainment(self.period_actual_minor, self.period_target_minor)

    @property
    def ytd_attainment(self) -> float | None:
        return attainment(self.ytd_actual_minor, self.ytd_target_minor)


def attainment(actual: int, target: int | None) -> float | None:
    """actual ÷ target as a fraction; None without a positive target."""
    return None if not target or target <= 0 else actual / target


def month_indexes(start: dt.date, end: dt.date) -> list[int]:
    """Month indexes 0–11 of [start, end) within start's year (periods never cross years)."""
    last = (end - dt.timedelta(days=1)).month if end.year == start.year else 12
    return list(range(start.month - 1, last))


def group_months(
    months: Sequence[int], weights: Mapping[str, Weight]
) -> dict[str, tuple[int, ...]]:
    """Split the year's month targets over groups by `weights` (their own annual targets):
    group totals by largest remainder, then a group × month grid whose rows and columns add
    up exactly (planning.decomposition.split_table). Weights are exact (floats are taken
    at their exact binary value), so shares such as 0.75 split exactly."""
    keys = sorted(weights)
    if not keys:
        return {}
    totals = allocate(sum(months), [max(0, weights[k]) for k in keys])
    grid = split_table(totals, list(months))
    return {k: tuple(row) for k, row in zip(keys, grid, strict=True)}


def _won_by(
    won: pl.DataFrame, start: dt.date, end: dt.date, column: str | None
) -> dict[str | None, int]:
    inside = won.filter((pl.col("closed_on") >= start) & (pl.col("closed_on") < end))
    if column is None:
        return {None: int(inside["amount_plan_minor"].fill_null(0).sum() or 0)}
    sums = inside.group_by(column).agg(pl.col("amount_plan_minor").fill_null(0).sum())
    return {(None if k is None else str(k)): int(v or 0) for k, v in sums.iter_rows()}


def actual_vs_target(
    won: pl.DataFrame,
    months: Sequence[int],
    groups: Mapping[str, Mapping[str, Sequence[int]]],
    start: dt.date,
    end: dt.date,
    cutoff: dt.date,
) -> list[TargetRow]:
    """Rows for the team and each group of each scope in `groups` (scope → key → months).

    `won`: won deals with closed_on, amount_plan_minor, region, segment, owner_id. Period
    actuals count [start, min(end, cutoff)); year to date [1 January, min(end, cutoff)).
    Groups with bookings but no target (or a scope without targets) get target None; won
    deals without a value in a scope's column get a row with group None (target None).
    """
    stop = min(end, cutoff)
    year_start = dt.date(start.year, 1, 1)
    period_months = month_indexes(start, end)
    ytd_months = list(range(0, period_months[-1] + 1))

    def row(
        scope: str,
        key: str | None,
        target: Sequence[int] | None,
        period: Mapping[str | None, int],
        ytd: Mapping[str | None, int],
    ) -> TargetRow:
        return TargetRow(
            scope,
            key,
            None if target is None else sum(target[m] for m in period_months),
            period.get(key, 0),
            None if target is None else sum(target[m] for m in ytd_months),
            ytd.get(key, 0),
        )

    rows = [
        row(
            "total",
            None,
            months,
            _won_by(won, start, stop, None),
            _won_by(won, year_start, stop, None),
        )
    ]
    for scope in SCOPES:
        targets = groups.get(scope, {})
        column = COLUMNS[scope]
        period = _won_by(won, start, stop, column)
        ytd = _won_by(won, year_start, stop, column)
        named = sorted(set(targets) | {k for k in (*period, *ytd) if k is not None})
        keys: list[str | None] = list(named)
        if None in period or None in ytd:
            keys.append(None)  # deals without a region/segment/owner, so the rows add up
        rows += [row(scope, k, None if k is None else targets.get(k), period, ytd) for k in keys]
    return rows


@dataclass(frozen=True, slots=True)
class MonthRespread:
    month: int
    """1–12."""
    original_minor: int
    new_minor: int


@dataclass(frozen=True, slots=True)
class Respread:
    """The year's target still to book, spread again over the months not yet started."""

    year_target_minor: int
    won_minor: int
    """Booked in the year before the cutoff."""
    remaining_minor: int
    """max(0, target − won): what the remaining months must book."""
    months: list[MonthRespread]


def respread(
    months: Sequence[int], weights: Sequence[Fraction], won_minor: int, first: int
) -> Respread:
    """Re-spread max(0, Σmonths − won) over months first…11 by their seasonality weights,
    exactly (largest remainder: the new months add up to the remaining target)."""
    target = sum(months)
    remaining = max(0, target - won_minor)
    open_months = list(range(max(0, first), 12))
    new = allocate(remaining, [weights[m] for m in open_months]) if open_months else []
    return Respread(
        target,
        won_minor,
        remaining,
        [
            MonthRespread(m + 1, months[m], amount)
            for m, amount in zip(open_months, new, strict=True)
        ],
    )


def prorate(months: Sequence[int], start: dt.date, end: dt.date) -> Fraction:
    """The target of [start, end) within one year: Σ month target × days covered ÷ days in
    the month (exact; a whole month counts whole)."""
    total = Fraction(0)
    for m in month_indexes(start, end):
        first = dt.date(start.year, m + 1, 1)
        after = dt.date(start.year + (m == 11), (m + 1) % 12 + 1, 1)
        covered = (min(after, end) - max(first, start)).days
        if covered > 0:
            total += Fraction(months[m] * covered, (after - first).days)
    return total
