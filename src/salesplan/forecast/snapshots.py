"""Snapshot days: the past instants a model learns from, aligned with the forecast's cutoff.

Training snapshots fall on the cutoff's day of the month, 1…N months earlier (day 29-31
clipped to 28), so "k months after the snapshot" means the same calendar position as "k months
after the cutoff": quarter-end effects line up.
"""

from __future__ import annotations

import datetime as dt

from salesplan.domain.periods import add_months


def month_shift(day: dt.date, months: int) -> dt.date:
    first = add_months(dt.date(day.year, day.month, 1), months)
    return first.replace(day=min(day.day, 28))


def snapshot_days(cutoff: dt.date, first: dt.date, months: int) -> list[dt.date]:
    """Up to `months` days before `cutoff` on its day of the month, none before `first`."""
    days = [month_shift(cutoff, -i) for i in range(1, months + 1)]
    return sorted(d for d in days if d > first)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1
