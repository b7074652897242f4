"""Each deal's outcome at a cutoff, by the deal's row number (History.deal_rows).

The models' training rows carry `opp_row` (4 bytes a row) instead of the 16-byte id, and
read their label by indexing these arrays: no set of a million id strings hashed for an
`is_in`, no id-to-day map for `replace_strict` (together ~100 MB of transients in a fit at a
million deals). Same outcomes as history.outcomes_at: the status of each deal's last event
before the cutoff, and its day when that status is won or lost. Events of a deal missing
from the opportunities (which build_history drops) count as UNKNOWN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.forecast.deal_keys import deal_rows
from salesplan.forecast.history import History, last_before, outcomes_at

UNKNOWN, OPEN, WON, LOST = -1, 0, 1, 2
"""Outcome codes: no event before the cutoff (or no such deal), open, won, lost."""


@dataclass(frozen=True)
class DealOutcomes:
    """Outcome codes and win days per row of `History.opportunities`, plus one last row
    (UNKNOWN, null) that rows of deals not in the opportunities (a null `opp_row`) read."""

    outcome: np.ndarray
    """int8 outcome code of each deal row."""
    won_on: pl.Series
    """Date of each deal row's win; null unless won."""

    def index(self, opp_row: pl.Series) -> np.ndarray:
        """Positions in `outcome`/`won_on` of rows with deal row `opp_row` (null: unknown)."""
        return np.asarray(opp_row.fill_null(len(self.outcome) - 1).to_numpy(), dtype=np.int64)

    def of(self, opp_row: pl.Series) -> np.ndarray:
        """The outcome code of each of `opp_row`."""
        return np.asarray(self.outcome[self.index(opp_row)], dtype=np.int8)


def deal_outcomes(history: History, cutoff: dt.date) -> DealOutcomes:
    """Each deal's outcome at the start of `cutoff` (see outcomes_at), by deal row."""
    n = history.opportunities.height
    if history.in_order:
        last = last_before(history, cutoff)
        rows = history.deal_rows.filter(last)
        status = history.events["status"].filter(last)
        day = history.events["entered_at"].filter(last).dt.date()
        del last
    else:  # a hand-built History: outcomes_at groups the events by deal
        state = outcomes_at(history, cutoff)
        rows = deal_rows(history.opportunities["id"], state["opportunity_id"])
        status, day = state["outcome"], state["closed_on"]
    known = rows.is_not_null()
    index = rows.filter(known).to_numpy()
    won = (status.filter(known) == "won").fill_null(False)
    lost = (status.filter(known) == "lost").fill_null(False)
    codes = np.full(len(index), OPEN, dtype=np.int8)
    codes[won.to_numpy()] = WON
    codes[lost.to_numpy()] = LOST
    outcome = np.full(n + 1, UNKNOWN, dtype=np.int8)
    outcome[index] = codes
    won_on = pl.repeat(None, n + 1, dtype=pl.Date, eager=True).alias("won_on")
    won_on = won_on.scatter(index[won.to_numpy()], day.filter(known).filter(won))
    return DealOutcomes(outcome, won_on)
