"""Timing: P(a win lands in month k after the cutoff | stage, stated close date, calendar).

From monthly snapshot rows (see history.snapshot_rows), each open deal at snapshot t has
features: stage s, segment, the stated close date's month offset c = month(close) − month(t) clipped
to [−1, 4] (−1: the stated date has already passed; 5: no date), and q0 = month of quarter of
t (1-3), which fixes the quarter position of every later month (the quarter-end hockey stick).

    r_k(cell) = wins in calendar month t+k ÷ rows whose month t+k was fully observed before T

is unbiased for P(won in month k) even though many deals are still open at T (censoring: no
row is conditioned on an outcome that was unknown at T). Cells are nested (stage, q0) →
+segment → +close bucket, each shrunk toward its parent with SHRINK_ROWS pseudo-rows.
The timing share of a won deal is

    share_k = r_k / (Σ_{j<K} r_j + r_tail),   P(won in month k) = P(win) · share_k,

and a period's probability is the sum over its months, so forecasts add up across periods.
Deals dated later can count, deals dated inside the period but likely to slip are discounted.
`win_probability` is Σ_j r_j + r_tail itself: the cell's chance to win at all, censoring-correct
and aware of the calendar (q0); bookings uses it to level the calibrated P(win) per stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from salesplan.forecast.calibrated import a_row_of_each, cell_numbers, dense_codes
from salesplan.forecast.deal_keys import DEAL_ROW
from salesplan.forecast.history import History, snapshot_rows
from salesplan.forecast.outcomes import DealOutcomes, deal_outcomes
from salesplan.forecast.snapshots import month_index, snapshot_days

HORIZON_MONTHS = 18
SHRINK_ROWS = 40.0
LEVELS: tuple[tuple[str, ...], ...] = (
    ("stage_code", "q0"),
    ("stage_code", "q0", "segment"),
    ("stage_code", "q0", "segment", "close_bucket"),
)
CELL = LEVELS[-1]
FEATURES = (DEAL_ROW, "snapshot", "event_close_date", "stage_code", "segment")
"""Columns of the snapshot rows the model reads."""


def add_timing_features(rows: pl.DataFrame) -> pl.DataFrame:
    """Add `close_bucket` and `q0` (month of quarter of the snapshot day, 1-3)."""
    snap = pl.col("snapshot")
    close = pl.col("event_close_date")
    offset = (close.dt.year() * 12 + close.dt.month()) - (snap.dt.year() * 12 + snap.dt.month())
    bucket = (
        pl.when(close.is_null()).then(5).when(close < snap).then(-1).otherwise(offset.clip(0, 4))
    )
    return rows.with_columns(
        bucket.cast(pl.Int32).alias("close_bucket"),
        ((snap.dt.month() - 1) % 3 + 1).cast(pl.Int32).alias("q0"),
    )


@dataclass
class TimingModel:
    """Monthly win-timing shares per (stage, stated-close bucket, month of quarter)."""

    name: str = "timing"
    horizon: int = HORIZON_MONTHS
    cells: pl.DataFrame = field(default_factory=pl.DataFrame)
    """CELL columns and `_cell`, the row of `matrix` holding that cell's shares."""
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((1, HORIZON_MONTHS)))
    """Shares of wins per month offset 0…horizon−1; the last row is the pooled fallback."""
    rates: np.ndarray = field(default_factory=lambda: np.zeros((1, HORIZON_MONTHS + 1)))
    """r_k per cell (rows as `matrix`), offsets 0…horizon−1 and the tail."""
    rows_used: int = 0

    def fit(
        self,
        history: History,
        cutoff: dt.date,
        rows: pl.DataFrame | None = None,
        state: DealOutcomes | None = None,
    ) -> TimingModel:
        """Fit on the monthly snapshots before `cutoff`. `rows` (snapshot_rows of those days,
        with `opp_row`) and `state` (deal_outcomes at the cutoff) may be passed in when
        already built."""
        if rows is None:
            days = snapshot_days(cutoff, history.start, 36)
            rows = snapshot_rows(history, days, columns=FEATURES)
        if state is None:
            state = deal_outcomes(history, cutoff)
        # The win day looked up by the deal's row number, not joined on the id: a join
        # would copy the rows once more.
        closed_on = state.won_on.gather(state.index(rows[DEAL_ROW])).alias("closed_on")
        rows = add_timing_features(rows.select(FEATURES)).select("snapshot", *CELL, closed_on)
        end_index = month_index(cutoff)  # months fully observed: index < end_index
        snap_m = pl.col("snapshot").dt.year() * 12 + pl.col("snapshot").dt.month() - 1
        won_m = pl.col("closed_on").dt.year() * 12 + pl.col("closed_on").dt.month() - 1
        h = self.horizon
        # Each row's win month offset as a column of the count matrices: 0…h−1 inside the
        # horizon, h for the tail (a win seen by T after the horizon), −1 for no win seen.
        k = won_m - snap_m
        rows = rows.with_columns(
            pl.when(k.is_null() | (k < 0)).then(-1).when(k < h).then(k).otherwise(h).alias("k"),
            # months t+0 … t+seen-1 fully observed; exposure of column j is `seen > j`
            (pl.lit(end_index) - snap_m).clip(0, h + 1).alias("seen"),
        )
        self.rows_used = rows.height
        self._shrunk_shares(rows.select(*CELL, "k", "seen"))
        return self

    def _shrunk_shares(self, rows: pl.DataFrame) -> None:
        """Per-cell shares; each level's rates shrunk toward the level above (LEVELS).

        Counts per cell come from np.bincount over flat (cell, column) indices: wins from `k`,
        exposures as a histogram of `seen` summed from the right (exposed in column j ⇔
        seen > j), so no rows × months matrix is ever built."""
        h = self.horizon
        width = h + 1
        k = rows["k"].to_numpy()
        seen = rows["seen"].to_numpy().astype(np.int64)
        has_win = k >= 0
        parent_of: np.ndarray | None = None
        parent_rate = np.zeros((0, width))
        previous: np.ndarray | None = None
        keys = rows.select(*CELL)
        dense = {key: dense_codes(keys[key]) for key in CELL}
        crate = np.zeros((0, width))
        total = np.zeros(width)
        nc = 0
        ci = np.zeros(0, dtype=np.int64)
        for depth, level in enumerate(LEVELS):
            # Each row's cell numbered 0…nc−1 in the order of its keys' dense codes (mixed
            # radix, then only the cells some row is in): a dense rank of the keys as a
            # struct sorted every row's encoded keys (~150 MB of transients at 1m deals).
            code, size = cell_numbers(dense, level, rows.height)
            present = np.bincount(code, minlength=size) > 0
            ci = (np.cumsum(present) - 1)[code]
            nc = int(present.sum())
            del code, present
            cw = np.bincount(
                ci[has_win] * width + k[has_win].astype(np.int64), minlength=nc * width
            ).reshape(nc, width)
            hist = np.bincount(ci * (h + 2) + seen, minlength=nc * (h + 2)).reshape(nc, h + 2)
            ce = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]  # rows with seen > j
            if depth == 0:
                tw, te = cw.sum(axis=0), ce.sum(axis=0)
                total = np.divide(tw, te, out=np.zeros(width), where=te > 0)
                cp = np.tile(total, (nc, 1))
            else:
                assert previous is not None
                parent_of = np.zeros(nc, dtype=np.int64)
                parent_of[ci] = previous
                cp = parent_rate[parent_of]
            crate = (cw + SHRINK_ROWS * cp) / (ce + SHRINK_ROWS)
            parent_rate, previous = crate, ci
        sums = crate.sum(axis=1, keepdims=True) if nc else np.zeros((0, 1))
        share = np.divide(crate, sums, out=np.zeros_like(crate), where=sums > 0) if nc else crate
        fallback = total / total.sum() if total.sum() > 0 else np.zeros(width)
        self.matrix = np.vstack([share[:, :h], fallback[None, :h]])
        self.rates = np.vstack([crate, total[None, :]])
        self.cells = keys.select(pl.col(CELL).gather(a_row_of_each(ci, nc))).with_columns(
            pl.Series("_cell", np.arange(nc), pl.Int64)
        )

    def _cells(self, deals: pl.DataFrame, cutoff: dt.date) -> np.ndarray:
        frame = add_timing_features(
            deals.select("event_close_date", "stage_code", "segment").with_columns(
                pl.lit(cutoff).alias("snapshot")
            )
        ).join(self.cells, on=list(CELL), how="left", maintain_order="left")
        fallback = self.matrix.shape[0] - 1
        return np.asarray(frame["_cell"].fill_null(fallback).to_numpy(), dtype=np.int64)

    def monthly(
        self, deals: pl.DataFrame, cutoff: dt.date, start: dt.date, end: dt.date
    ) -> np.ndarray:
        """deals × months of [start, end): P(the win lands in that month | won).

        Periods are whole months; a month before the cutoff's month gets 0 (a period that
        began before the cutoff counts from offset 0)."""
        first = month_index(start) - month_index(cutoff)
        last = month_index(end - dt.timedelta(days=1)) - month_index(cutoff)
        offsets = list(range(first, last + 1))
        if deals.height == 0:
            return np.zeros((0, len(offsets)))
        rows = self.matrix[self._cells(deals, cutoff)]
        cols = [rows[:, k] if 0 <= k < self.horizon else np.zeros(deals.height) for k in offsets]
        return np.asarray(np.clip(np.column_stack(cols), 0.0, 1.0), dtype=np.float64)

    def in_window(
        self, deals: pl.DataFrame, cutoff: dt.date, start: dt.date, end: dt.date
    ) -> pl.Series:
        """P(the win lands in [start, end) | won): the sum of `monthly` over the period."""
        value = self.monthly(deals, cutoff, start, end).sum(axis=1)
        return pl.Series("p_timing", np.clip(value, 0.0, 1.0), pl.Float64)

    def win_probability(self, deals: pl.DataFrame, cutoff: dt.date) -> np.ndarray:
        """Σ_k r_k + r_tail of each deal's cell: P(won at all), censoring-correct."""
        if deals.height == 0:
            return np.zeros(0)
        value = self.rates[self._cells(deals, cutoff)].sum(axis=1)
        return np.asarray(np.clip(value, 0.0, 1.0), dtype=np.float64)
