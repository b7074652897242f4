"""Ground truth the CRM cannot show: the generator's own win probabilities and the future.

`truth` (segment × open stage): P(win | a deal of this segment enters stage s), averaged over
every deal generated (all types, reps, sources, promotions and stalls) with each deal weighted
by its probability of reaching s:  sum_d P_d(reach s) · P_d(win | s) / sum_d P_d(reach s).
This is exactly the long-run win share of deals that were at stage s, i.e. what an estimator fit
on closed deals should recover (up to sampling and censoring).

`opportunity_truth` (open deals at as_of): each deal's own P(win | its current stage), and how
and when the simulation actually ends it after as_of, for scoring forecasts with known truth.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from salesplan.demo.deals import Deals
from salesplan.demo.funnel import reach_probability, win_from_stage
from salesplan.demo.opportunities import Snapshot
from salesplan.demo.params import DemoParams
from salesplan.demo.timeline import date_series
from salesplan.domain.stages import StageList

TRUTH_SCHEMA = pl.Schema(
    {"segment": pl.String, "stage": pl.String, "stage_code": pl.Int32,
     "true_win_probability": pl.Float64}  # fmt: skip
)
OPPORTUNITY_TRUTH_SCHEMA = pl.Schema(
    {"opportunity_id": pl.String, "true_win_probability": pl.Float64,
     "future_status": pl.String, "future_close_on": pl.Date}  # fmt: skip
)


def truth_frame(params: DemoParams, stages: StageList, deals: Deals) -> pl.DataFrame:
    """One row per segment × open stage, segments and stages in configured order."""
    reach = reach_probability(deals.p, deals.start)
    win = win_from_stage(deals.p)
    n_seg = len(params.segments)
    opens = stages.open_stages
    rows: dict[str, list[object]] = {name: [] for name in TRUTH_SCHEMA}
    for s, seg in enumerate(params.segments):
        mask = deals.segment == s
        den = reach[mask].sum(axis=0)
        num = (reach[mask] * win[mask]).sum(axis=0)
        for j, stage in enumerate(opens):
            rows["segment"].append(seg.key)
            rows["stage"].append(stage.key)
            rows["stage_code"].append(stage.code)
            rows["true_win_probability"].append(float(num[j] / den[j]) if den[j] > 0 else None)
    frame = pl.DataFrame(rows, schema=TRUTH_SCHEMA)
    assert frame.height == n_seg * len(opens)
    return frame


def opportunity_truth_frame(deals: Deals, snap: Snapshot, ids: pl.Series) -> pl.DataFrame:
    """Open deals at as_of (in id order) with their exact win probability and future."""
    rows = np.flatnonzero(~snap.closed)
    win = win_from_stage(deals.p[rows])[np.arange(len(rows)), snap.current[rows]]
    frame = pl.DataFrame(
        {
            "opportunity_id": ids.gather(rows),
            "true_win_probability": win,
            "future_status": pl.Series(np.where(deals.won[rows], "won", "lost")),
            "future_close_on": date_series("future_close_on", deals.close_t[rows]),
        }
    )
    return frame.cast(dict(OPPORTUNITY_TRUTH_SCHEMA))  # type: ignore[arg-type]
