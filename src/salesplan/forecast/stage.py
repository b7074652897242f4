"""`stage`: the CRM's fixed probability per stage, the baseline every user knows.

P(win) = the stage's default probability (the workspace's stage list); a deal counts toward a
period only when its stated close date lies in the period (as a CRM's weighted pipeline does),
so deals dated in the past or later count nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from salesplan.forecast.history import History


@dataclass
class StageEstimator:
    name: str = "stage"
    probabilities: dict[int, float] = field(default_factory=dict)

    def fit(self, history: History, cutoff: dt.date) -> StageEstimator:
        del cutoff  # fixed numbers: nothing is learned
        self.probabilities = {s.code: s.default_probability for s in history.stages.stages}
        return self

    def predict(self, deals: pl.DataFrame) -> pl.Series:
        """P(win) of each open deal: its stage's default probability (0 for unknown stages)."""
        return (
            deals["stage_code"]
            .replace_strict(self.probabilities, default=0.0, return_dtype=pl.Float64)
            .alias("p_win")
        )

    @staticmethod
    def in_window(deals: pl.DataFrame, start: dt.date, end: dt.date) -> pl.Series:
        """1 when the stated close date is in [start, end), else 0."""
        close = deals["close_date"]
        inside = (close >= start) & (close < end)
        return inside.fill_null(False).cast(pl.Float64).alias("p_timing")
