"""`calibrated`: P(win | stage, time in stage, type, segment, amount, owner, source) from history.

Training rows are "deal d was open at stage s on snapshot day t" for monthly snapshot days
before the fit cutoff T, rebuilt from stage events with only what was known at t; the label
is the deal's state at T (won/lost; still open = censored and left out). Rates are nested
empirical-Bayes cells, each shrunk toward its parent (beta-binomial, method of moments):

    p(cell) = (wins + m·p(parent)) / (n + m),   levels: stage → +time-in-stage band → +type
                                                  → +segment → +amount band

with one prior strength m per level (analytics.rates). Owner and source then scale the odds
by a gamma-Poisson shrunk factor (W + a) / (E + a), W = wins, E = expected wins of that owner.
Time in stage is banded by the stage's historical p50 / p90 of completed stays (≤ p50, ≤ p90,
≤ 2·p90, beyond): stale deals win far less than their stage suggests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from salesplan.analytics.rates import MAX_PRIOR_STRENGTH, MIN_PRIOR_STRENGTH
from salesplan.forecast.deal_keys import DEAL_ROW
from salesplan.forecast.history import History, snapshot_rows
from salesplan.forecast.loading import CHUNK_ROWS
from salesplan.forecast.outcomes import LOST, WON, DealOutcomes, deal_outcomes
from salesplan.forecast.snapshots import snapshot_days

LEVELS: tuple[tuple[str, ...], ...] = (
    ("stage_code",),
    ("stage_code", "tis_band"),
    ("stage_code", "tis_band", "type"),
    ("stage_code", "tis_band", "type", "segment"),
    ("stage_code", "tis_band", "type", "segment", "amount_band"),
)
FACTORS = ("owner_id", "source")
TRAINING_COLUMNS = (
    DEAL_ROW, "stage_code", "days_in_stage", "type", "segment",
    "amount_plan_minor", *FACTORS,
)  # fmt: skip
"""Columns of the snapshot rows the estimator reads."""
RELIABILITY_BINS = 10


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """Deals whose predicted P(win) fell in [low, high): mean prediction vs observed share."""

    low: float
    high: float
    n: int
    predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class Calibration:
    """In-sample reliability of the fitted probabilities (Brier = mean (p − y)²)."""

    brier: float | None
    ece: float | None
    n: int
    bins: list[ReliabilityBin] = field(default_factory=list)


def reliability(
    predicted: np.ndarray, observed: np.ndarray, bins: int = RELIABILITY_BINS
) -> Calibration:
    """Reliability table, Brier score and expected calibration error Σ (n_b/N)·|p̄_b − ȳ_b|.

    `observed` may be 0/1 outcomes or true probabilities (then Brier is against those)."""
    n = len(predicted)
    if n == 0:
        return Calibration(None, None, 0, [])
    p = np.asarray(predicted, dtype=np.float64)
    y = np.asarray(observed, dtype=np.float64)
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    table: list[ReliabilityBin] = []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        count = int(mask.sum())
        if count == 0:
            continue
        mp, my = float(p[mask].mean()), float(y[mask].mean())
        ece += count / n * abs(mp - my)
        table.append(ReliabilityBin(b / bins, (b + 1) / bins, count, mp, my))
    return Calibration(float(np.mean((p - y) ** 2)), ece, n, table)


def _strength(wins: np.ndarray, totals: np.ndarray, parent: np.ndarray) -> float:
    """Beta prior strength m for cells around their parents' rates (method of moments)."""
    mask = totals > 0
    w, n, p0 = wins[mask], totals[mask], np.clip(parent[mask], 1e-6, 1 - 1e-6)
    total = float(n.sum())
    if len(n) < 2 or total == 0:
        return MAX_PRIOR_STRENGTH
    observed = float((n * (w / n - p0) ** 2).sum()) / total
    sampling = float((p0 * (1 - p0)).sum()) / total
    between = observed - sampling
    mean_var = float((n * p0 * (1 - p0)).sum()) / total
    if between <= 0:
        return MAX_PRIOR_STRENGTH
    return float(min(MAX_PRIOR_STRENGTH, max(MIN_PRIOR_STRENGTH, mean_var / between - 1)))


def _gamma_strength(wins: np.ndarray, expected: np.ndarray) -> float:
    """Gamma prior shape a for odds factors with mean 1 (method of moments on W/E)."""
    mask = expected > 0
    w, e = wins[mask], expected[mask]
    total = float(e.sum())
    if len(e) < 2 or total == 0:
        return MAX_PRIOR_STRENGTH
    spread = float((e * (w / e - 1) ** 2).sum()) / total - len(e) / total
    return (
        MAX_PRIOR_STRENGTH if spread <= 0 else float(min(MAX_PRIOR_STRENGTH, max(1.0, 1 / spread)))
    )


def stay_bands(history: History, cutoff: dt.date) -> pl.DataFrame:
    """Per open stage: p50 and p90 days of stays completed before `cutoff`."""
    instant = dt.datetime(cutoff.year, cutoff.month, cutoff.day)
    hours = (pl.col("end") - pl.col("start")).dt.total_hours().alias("hours")
    done = pl.col("end").is_not_null() & (pl.col("end") < instant)
    # The completed stays' whole hours, CHUNK_ROWS stays (history.stay_rows) at a time, with
    # only the two fields read gathered from the events: the intermediate columns then last
    # for a chunk, not for every stay.
    index, ev = history.stay_rows, history.events
    parts = []
    for begin in range(0, max(index.height, 1), CHUNK_ROWS):
        part = index.slice(begin, CHUNK_ROWS).filter(done)
        at = part["row"]
        fields = [ev["stage_code"].gather(at), ev["entered_at"].gather(at).alias("start")]
        parts.append(pl.DataFrame([*fields, part["end"]]).select("stage_code", hours))
    stays = pl.concat(parts)
    stage, spent = stays["stage_code"], stays["hours"]
    codes, p50, p90 = [], [], []
    for code in stage.unique().sort(nulls_last=True).to_list():
        values = spent.filter(stage.is_null() if code is None else stage == code).drop_nulls()
        codes.append(code)
        p50.append(_quantile_days(values, 0.5))
        p90.append(_quantile_days(values, 0.9))
    return pl.DataFrame(
        {"stage_code": codes, "p50": p50, "p90": p90},
        schema={"stage_code": stays.schema["stage_code"], "p50": pl.Float64, "p90": pl.Float64},
    )


def _quantile_days(hours: pl.Series, q: float) -> float | None:
    """Polars' `(hours / 24.0).quantile(q)` ("nearest": the value at index round((n − 1)·q),
    halves away from zero, of the sorted values), found by np.partition of one stage's
    hours: a group_by of every completed stay held tens of MB more at the fit's peak."""
    n = hours.len()
    if n == 0:
        return None
    position = (n - 1) * q
    k = math.floor(position)
    k += 1 if position - k >= 0.5 else 0
    return float(np.partition(hours.to_numpy(), k)[k]) / 24.0


def add_bands(
    rows: pl.DataFrame, bands: pl.DataFrame, amount_edges: Sequence[float]
) -> pl.DataFrame:
    """Add `tis_band` (0-3, time in stage vs the stage's p50/p90) and `amount_band`.

    tis_band: 0 when the stage has no p50 or days ≤ p50, 1 when ≤ p90, 2 when ≤ 2·p90, else
    3 (also for unknown days); amount_band: the number of `amount_edges` below the amount,
    −1 for no amount. Worked out with numpy over whole columns: a chain of Polars' when/then
    held a column per step over the training rows (~1.3M at a million deals)."""
    # The stage's p50/p90 looked up per row, not joined: a join copied every column.
    p50, p90 = (
        rows["stage_code"]
        .replace_strict(bands["stage_code"], bands[q], default=None, return_dtype=pl.Float64)
        .to_numpy()
        for q in ("p50", "p90")
    )
    days = rows["days_in_stage"].cast(pl.Float64).to_numpy()  # null: NaN, never ≤
    tis = np.full(rows.height, 3, dtype=np.int32)
    tis[days <= 2 * p90] = 2
    tis[days <= p90] = 1
    tis[(days <= p50) | np.isnan(p50)] = 0
    del p50, p90, days
    amount = rows["amount_plan_minor"]
    values = amount.cast(pl.Float64).to_numpy()  # compared as floats, as Polars compares
    band = np.zeros(rows.height, dtype=np.int32)
    for edge in amount_edges:
        band += values > edge
    band[amount.is_null().to_numpy()] = -1
    return rows.with_columns(
        pl.Series("tis_band", tis, pl.Int32), pl.Series("amount_band", band, pl.Int32)
    )


def training_rows(
    history: History,
    cutoff: dt.date,
    months: int = 36,
    *,
    rows: pl.DataFrame | None = None,
    state: DealOutcomes | None = None,
) -> pl.DataFrame:
    """Snapshot rows before `cutoff` with `won` (1/0); censored (still open) rows dropped.

    `rows` (snapshot_rows of the `months` snapshot days, with `opp_row`) and `state`
    (deal_outcomes at `cutoff`) may be passed in when the caller already built them
    (fit_models shares the state); without `rows`, only the decided deals' rows are built."""
    if state is None:
        state = deal_outcomes(history, cutoff)
    decided = (state.outcome == WON) | (state.outcome == LOST)
    if rows is None:  # the decided deals' rows only: no full set of rows to filter
        days = snapshot_days(cutoff, history.start, months)
        rows = snapshot_rows(history, days, columns=TRAINING_COLUMNS, deals=decided)
    else:
        # Each row's label by its deal's row number, not a join: a join would copy every
        # column of millions of rows once more; the filter copies only the decided rows.
        rows = rows.filter(pl.Series(decided[state.index(rows[DEAL_ROW])]))
    won = state.of(rows[DEAL_ROW]) == WON
    return rows.with_columns(pl.Series("won", won.astype(np.int64), pl.Int64))


def dense_codes(column: pl.Series) -> tuple[np.ndarray, int]:
    """Each value's rank among the column's distinct values (0…k−1, null: k; int32) and
    k + 1."""
    physical = column.to_physical()
    values = physical.drop_nulls().unique().sort().to_numpy()
    codes = np.searchsorted(values, physical.fill_null(0).to_numpy()).astype(np.int32)
    codes[physical.is_null().to_numpy()] = len(values)
    return codes, len(values) + 1


def cell_numbers(
    dense: dict[str, tuple[np.ndarray, int]], keys: Sequence[str], rows: int
) -> tuple[np.ndarray, int]:
    """Each row's cell over `keys` as a number 0…size−1, ordered like the keys' dense codes
    (mixed radix), and size. When the product of the cardinalities outgrows the rows (free
    text such as thousands of segments), the numbers are compacted to the cells some row is
    in (np.unique keeps their order), so arrays indexed by cell never outgrow the rows."""
    cell, size = np.zeros(rows, dtype=np.int64), 1
    for key in keys:
        codes, cardinality = dense[key]
        cell *= cardinality
        cell += codes
        size *= cardinality
        if size > rows:
            distinct, cell = np.unique(cell, return_inverse=True)
            size = len(distinct)
    return cell, size


def a_row_of_each(codes: np.ndarray, size: int) -> np.ndarray:
    """For each code 0…size−1, a row holding it (0 for codes no row holds)."""
    rows = np.zeros(size, dtype=np.int64)
    rows[codes] = np.arange(len(codes))
    return rows


@dataclass
class CalibratedEstimator:
    """Empirical-Bayes P(win) estimator; fit on history before a cutoff, predict open deals."""

    name: str = "calibrated"
    tables: list[pl.DataFrame] = field(default_factory=list)
    strengths: list[float] = field(default_factory=list)
    factors: dict[str, pl.DataFrame] = field(default_factory=dict)
    bands: pl.DataFrame | None = None
    amount_edges: list[float] = field(default_factory=list)
    pooled: float = 0.0
    calibration: Calibration | None = None

    def fit(
        self,
        history: History,
        cutoff: dt.date,
        rows: pl.DataFrame | None = None,
        state: DealOutcomes | None = None,
    ) -> CalibratedEstimator:
        """Fit on history before `cutoff` (`rows`, `state`: see training_rows)."""
        if rows is not None:  # only what the cells and factors read: the rows are millions
            rows = rows.select(*TRAINING_COLUMNS)
        # The bands first, while the training rows do not yet take memory.
        self.bands = stay_bands(history, cutoff)
        rows = training_rows(history, cutoff, rows=rows, state=state).drop(DEAL_ROW)
        amounts = rows["amount_plan_minor"].drop_nulls()
        self.amount_edges = (
            [float(q) for q in np.quantile(amounts.to_numpy(), [0.25, 0.5, 0.75])]
            if amounts.len()
            else []
        )
        # From here on only the cells' keys, the factors and the label: every level below
        # joins the rows once more, so each byte per row counts millions of times.
        rows = add_bands(rows, self.bands, self.amount_edges).select(*LEVELS[-1], *FACTORS, "won")
        self.pooled = float(rows["won"].mean()) if rows.height else 0.0  # type: ignore[arg-type]
        self.tables, self.strengths = [], []
        # Each level's cells counted with np.bincount over integer cell numbers (each key
        # as a dense code, LEVELS' keys in mixed radix), each row's parent rate read by
        # its cell number: no group_by or join of ~1.3M rows per level (each held tens of
        # MB of keys and hash tables at the fit's peak memory).
        dense = {key: dense_codes(rows[key]) for key in LEVELS[-1]}
        won = rows["won"].to_numpy()
        parent = np.full(rows.height, self.pooled)
        for keys in LEVELS:
            cell, size = cell_numbers(dense, keys, rows.height)
            n = np.bincount(cell, minlength=size)
            w = np.bincount(cell, weights=won, minlength=size)
            p = np.zeros(size)
            p[cell] = parent  # every row of a cell has its parent cell's rate
            seen = np.flatnonzero(n)
            m = _strength(w[seen], n[seen], p[seen])
            rate = (w + m * p) / (n + m)
            self.tables.append(
                rows.select(pl.col(keys).gather(a_row_of_each(cell, size)[seen])).with_columns(
                    pl.Series("rate", rate[seen], pl.Float64)
                )
            )
            self.strengths.append(m)
            parent = rate[cell]
            del cell, n, w, p
        # Only what the factors read: the cells' keys let go (~25 MB at a million deals).
        base = rows.select(*FACTORS, "won").with_columns(pl.Series("_base", parent, pl.Float64))
        del rows, dense, won, parent
        # The owner and source factors by Polars' joins and group_by, as before: numpy's
        # sums of the expected wins differ in the last bits, enough to move the ECE's.
        self.factors = {}
        for column in FACTORS:
            odds = self._apply_factors(base)
            per = odds.group_by(column).agg(
                pl.col("won").sum().alias("w"), pl.col("_q").sum().alias("e")
            )
            a = _gamma_strength(per["w"].to_numpy().astype(float), per["e"].to_numpy())
            self.factors[column] = per.select(
                column, ((pl.col("w") + a) / (pl.col("e") + a)).alias(f"_f_{column}")
            )
        fitted = self._apply_factors(base)
        self.calibration = reliability(fitted["_q"].to_numpy(), fitted["won"].to_numpy())
        return self

    def _apply_factors(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Column `_q`: `_base` odds times each fitted factor (unknown owner/source: 1)."""
        odds = pl.col("_base") / (1 - pl.col("_base")).clip(1e-9)
        for column, table in self.factors.items():
            factor = (  # joined on the key alone: see fit
                frame.select(column)
                .join(table, on=column, how="left", nulls_equal=True, maintain_order="left")
                .get_column(f"_f_{column}")
            )
            frame = frame.with_columns(factor)
            odds = odds * pl.col(f"_f_{column}").fill_null(1.0)
        result = frame.with_columns((odds / (1 + odds)).alias("_q"))
        return result.drop([c for c in result.columns if c.startswith("_f_")])

    def predict(self, deals: pl.DataFrame) -> pl.Series:
        """P(win) for each open deal (rows as from history.snapshot_rows), in row order."""
        if deals.height == 0:
            return pl.Series("p_win", [], pl.Float64)
        assert self.bands is not None, "fit first"
        frame = add_bands(deals.with_row_index("_row"), self.bands, self.amount_edges)
        frame = frame.with_columns(pl.lit(self.pooled).alias("_base"))
        for keys, table in zip(LEVELS, self.tables, strict=True):
            frame = (
                frame.join(table, on=list(keys), how="left", nulls_equal=True)
                .with_columns(pl.col("rate").fill_null(pl.col("_base")).alias("_base"))
                .drop("rate")
            )
        frame = self._apply_factors(frame).sort("_row")
        return frame["_q"].alias("p_win")
