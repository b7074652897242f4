"""Snapshot days: the past instants a model learns from, aligned with the forecast's cutoff.

Training snapshots fall on the cutoff's day of the month, 1…N months earlier (day 29-31
clipped to 28), so "k months after the snapshot" means the same calendar position as "k months
after the cutoff": quarter-end effects line up. `open_days` and `days_in_stage` are the
numpy arithmetic history.snapshot_rows builds the (stay, snapshot day) rows with.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from salesplan.domain.periods import add_months
from salesplan.forecast.loading import CHUNK_ROWS


def month_shift(day: dt.date, months: int) -> dt.date:
    first = add_months(dt.date(day.year, day.month, 1), months)
    return first.replace(day=min(day.day, 28))


def snapshot_days(cutoff: dt.date, first: dt.date, months: int) -> list[dt.date]:
    """Up to `months` days before `cutoff` on its day of the month, none before `first`."""
    days = [month_shift(cutoff, -i) for i in range(1, months + 1)]
    return sorted(d for d in days if d > first)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def open_days(
    entered_at: pl.Series, positions: pl.DataFrame, instants: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """lo, hi of each stay (rows of `positions`, History.stay_rows): it is open on the sorted
    `instants` lo … hi − 1. Worked out CHUNK_ROWS stays at a time and kept as int16 (the
    instants are a few dozen): the stays' start and end as numpy datetimes and int64
    positions for every stay at once were ~100 MB of transients at a million deals."""
    n = positions.height
    dtype = np.int16 if len(instants) < 2**15 else np.int64
    lo, hi = np.empty(n, dtype), np.empty(n, dtype)
    far = dt.datetime(9999, 1, 1)
    for begin in range(0, n, CHUNK_ROWS):
        part = positions.slice(begin, CHUNK_ROWS)
        stop = begin + part.height
        start = entered_at.gather(part["row"]).to_numpy()
        lo[begin:stop] = np.searchsorted(instants, start, side="right")
        end = part["end"].fill_null(far).to_numpy()
        hi[begin:stop] = np.searchsorted(instants, end, side="right")
    np.maximum(hi, lo, out=hi)
    return lo, hi


def days_in_stage(rows: pl.DataFrame) -> pl.Expr | pl.Series:
    """(snapshot − start).dt.total_hours() / 24.0: whole hours in the stage by the snapshot's
    midnight, in days. With numpy in one int64 array when every stay began before its
    snapshot, as snapshot_rows builds them (then floor division is Polars' truncation):
    the expression held four columns of the rows at once."""
    expr = (pl.col("snapshot").cast(pl.Datetime("us")) - pl.col("start")).dt.total_hours() / 24.0
    start, snapshot = rows["start"], rows["snapshot"]
    if rows.height == 0 or start.dtype != pl.Datetime("us") or start.null_count():
        return expr
    us = snapshot.to_numpy().astype("datetime64[us]").view(np.int64)  # a new array
    us -= start.to_numpy().view(np.int64)
    if snapshot.null_count() or not bool((us > 0).all()):
        return expr
    us //= 3_600_000_000
    return pl.Series(us / 24.0, dtype=pl.Float64)
