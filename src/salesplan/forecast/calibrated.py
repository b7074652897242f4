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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from salesplan.analytics.rates import MAX_PRIOR_STRENGTH, MIN_PRIOR_STRENGTH
from salesplan.forecast.history import History, outcomes_at, snapshot_rows, stays
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
    "opportunity_id", "stage_code", "days_in_stage", "type", "segment",
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
    days = (pl.col("end") - pl.col("start")).dt.total_hours() / 24.0
    # Only the three columns read, of the completed stays only (gathered from the events).
    done = stays(history, ("stage_code", "start", "end"), ended_before=instant).select(
        "stage_code", days.alias("days")
    )
    return done.group_by("stage_code").agg(
        pl.col("days").quantile(0.5).alias("p50"), pl.col("days").quantile(0.9).alias("p90")
    )


def add_bands(
    rows: pl.DataFrame, bands: pl.DataFrame, amount_edges: Sequence[float]
) -> pl.DataFrame:
    """Add `tis_band` (0-3, time in stage vs the stage's p50/p90) and `amount_band`."""
    t = pl.col("days_in_stage")
    # The stage's p50/p90 looked up per row, not joined: a join copied every column of the
    # training rows (~1.3M at a million deals) once more.
    stage = pl.col("stage_code")
    joined = rows.with_columns(
        stage.replace_strict(
            bands["stage_code"], bands[q], default=None, return_dtype=pl.Float64
        ).alias(q)
        for q in ("p50", "p90")
    )
    tis = (
        pl.when(pl.col("p50").is_null())
        .then(0)
        .when(t <= pl.col("p50"))
        .then(0)
        .when(t <= pl.col("p90"))
        .then(1)
        .when(t <= 2 * pl.col("p90"))
        .then(2)
        .otherwise(3)
    )
    amount = pl.col("amount_plan_minor")
    band = pl.lit(0)
    for edge in amount_edges:
        band = band + (amount > edge).cast(pl.Int32)
    return joined.with_columns(
        tis.cast(pl.Int32).alias("tis_band"),
        pl.when(amount.is_null()).then(-1).otherwise(band).cast(pl.Int32).alias("amount_band"),
    ).drop("p50", "p90")


def training_rows(
    history: History,
    cutoff: dt.date,
    months: int = 36,
    *,
    rows: pl.DataFrame | None = None,
    state: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Snapshot rows before `cutoff` with `won` (1/0); censored (still open) rows dropped.

    `rows` (snapshot_rows of the `months` snapshot days) and `state` (outcomes_at `cutoff`)
    may be passed in when the caller already built them (fit_models shares them)."""
    if rows is None:
        rows = snapshot_rows(history, snapshot_days(cutoff, history.start, months))
    if state is None:
        state = outcomes_at(history, cutoff)
    # Membership tests rather than a join: a join would copy every column of millions of
    # rows once more (the fit's peak memory); the filter copies only the decided rows.
    decided = state.filter(pl.col("outcome").is_in(["won", "lost"]))
    won = decided.filter(pl.col("outcome") == "won")["opportunity_id"]
    deal = pl.col("opportunity_id")
    return rows.filter(deal.is_in(decided["opportunity_id"].implode())).with_columns(
        deal.is_in(won.implode()).cast(pl.Int64).alias("won")
    )


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
        state: pl.DataFrame | None = None,
    ) -> CalibratedEstimator:
        """Fit on history before `cutoff` (`rows`, `state`: see training_rows)."""
        if rows is not None:  # only what the cells and factors read: the rows are millions
            rows = rows.select(*TRAINING_COLUMNS)
        rows = training_rows(history, cutoff, rows=rows, state=state).drop("opportunity_id")
        self.bands = stay_bands(history, cutoff)
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
        parent = rows.with_columns(pl.lit(self.pooled).alias("_p"))
        for keys in LEVELS:
            cells = parent.group_by(list(keys)).agg(
                pl.col("won").sum().alias("w"), pl.len().alias("n"), pl.col("_p").first()
            )
            m = _strength(cells["w"].to_numpy(), cells["n"].to_numpy(), cells["_p"].to_numpy())
            cells = cells.with_columns(
                ((pl.col("w") + m * pl.col("_p")) / (pl.col("n") + m)).alias("rate")
            ).select(*keys, "rate")
            self.tables.append(cells)
            self.strengths.append(m)
            # Each row's rate joined on the level's keys alone and added as one column: a
            # join of the rows themselves copied every column of ~1.3M rows per level.
            rate = (
                rows.select(keys)
                .join(cells, on=list(keys), how="left", nulls_equal=True, maintain_order="left")
                .get_column("rate")
            )
            parent = rows.with_columns(rate.alias("_p"))
        self.factors = {}
        base = parent.rename({"_p": "_base"})
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
