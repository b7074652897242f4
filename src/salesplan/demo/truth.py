"""Ground truth the CRM cannot show: the generator's own win probabilities and the future.

`truth` (segment × open stage): P(win | a deal of this segment enters stage s), averaged over
every deal generated (all types, reps, sources, promotions and stalls) with each deal weighted
by its probability of reaching s:  sum_d P_d(reach s) · P_d(win | s) / sum_d P_d(reach s).
This is exactly the long-run win share of deals that were at stage s, i.e. what an estimator fit
on closed deals should recover (up to sampling and censoring).

`truth_by_type` splits `truth` by deal type; `rep_truth` is each person's latent skill.

`margin_truth` (product): the planted mean margin of a won deal at list price and its spread
(demo/costs.py), and how many won deals carry a cost.

`opportunity_truth` (open deals at as_of): each deal's own P(win | its latent attributes, its
current stage and that it is still open at as_of; see `funnel.open_win_probability`), and how and
when the simulation actually ends it after as_of, for scoring forecasts with known truth.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from salesplan.demo.deals import Deals
from salesplan.demo.funnel import open_win_probability, reach_probability, win_from_stage
from salesplan.demo.opportunities import Snapshot
from salesplan.demo.params import DemoParams
from salesplan.demo.team import Team
from salesplan.demo.timeline import BoolArray, FloatArray, date_series
from salesplan.domain.stages import StageList

TRUTH_SCHEMA = pl.Schema(
    {
        "segment": pl.String,
        "stage": pl.String,
        "stage_code": pl.Int32,
        "true_win_probability": pl.Float64,
    }
)
TRUTH_BY_TYPE_SCHEMA = pl.Schema(
    {
        "segment": pl.String,
        "type": pl.String,
        "stage": pl.String,
        "stage_code": pl.Int32,
        "true_win_probability": pl.Float64,
    }
)
OPPORTUNITY_TRUTH_SCHEMA = pl.Schema(
    {
        "opportunity_id": pl.String,
        "true_win_probability": pl.Float64,
        "future_status": pl.String,
        "future_close_on": pl.Date,
    }
)
MARGIN_TRUTH_SCHEMA = pl.Schema(
    {
        "product": pl.String,
        "planted_margin": pl.Float64,
        "margin_sigma": pl.Float64,
        "won_with_cost": pl.Int64,
    }
)
REP_TRUTH_SCHEMA = pl.Schema(
    {"team_member_id": pl.String, "skill_log_odds": pl.Float64, "win_odds_multiplier": pl.Float64}
)


def _conditional_win(deals: Deals, mask: BoolArray) -> FloatArray:
    """Per open stage: sum P(reach s)·P(win | s) / sum P(reach s) over the masked deals
    (NaN where no masked deal can reach the stage)."""
    reach = reach_probability(deals.p[mask], deals.start[mask])
    num = (reach * win_from_stage(deals.p[mask])).sum(axis=0)
    den = reach.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(den > 0, num / den, np.nan), dtype=np.float64)


def truth_frame(params: DemoParams, stages: StageList, deals: Deals) -> pl.DataFrame:
    """One row per segment × open stage (all deal types), in configured order."""
    rows: dict[str, list[object]] = {name: [] for name in TRUTH_SCHEMA}
    for s, seg in enumerate(params.segments):
        win = _conditional_win(deals, deals.segment == s)
        for j, stage in enumerate(stages.open_stages):
            rows["segment"].append(seg.key)
            rows["stage"].append(stage.key)
            rows["stage_code"].append(stage.code)
            rows["true_win_probability"].append(None if np.isnan(win[j]) else float(win[j]))
    return pl.DataFrame(rows, schema=TRUTH_SCHEMA)


def truth_by_type_frame(params: DemoParams, stages: StageList, deals: Deals) -> pl.DataFrame:
    """The same per deal type, for the stages that type passes through (renewals enter late).

    Unlike `truth`, these do not drift with the mix of types over the years (renewals grow
    with the customer base), so they are what closed deals of one type calibrate against."""
    rows: dict[str, list[object]] = {name: [] for name in TRUTH_BY_TYPE_SCHEMA}
    for s, seg in enumerate(params.segments):
        for t, kind in enumerate(params.deal_types):
            win = _conditional_win(deals, (deals.segment == s) & (deals.type == t))
            for j, stage in enumerate(stages.open_stages):
                if j < kind.start_stage or np.isnan(win[j]):
                    continue
                rows["segment"].append(seg.key)
                rows["type"].append(kind.key)
                rows["stage"].append(stage.key)
                rows["stage_code"].append(stage.code)
                rows["true_win_probability"].append(float(win[j]))
    return pl.DataFrame(rows, schema=TRUTH_BY_TYPE_SCHEMA)


def rep_truth_frame(team: Team, person_ids: pl.Series) -> pl.DataFrame:
    """Every team member's latent skill: log-odds added to each stage's advance odds of the
    deals they own (0 for roles that own no deals); ramping is on top of this."""
    return pl.DataFrame(
        {
            "team_member_id": person_ids,
            "skill_log_odds": team.person_skill,
            "win_odds_multiplier": np.exp(team.person_skill),
        },
        schema=REP_TRUTH_SCHEMA,
    )


def opportunity_truth_frame(
    params: DemoParams, deals: Deals, snap: Snapshot, ids: pl.Series, cutoff: float
) -> pl.DataFrame:
    """Open deals at as_of (in id order) with their exact win probability and future."""
    rows = np.flatnonzero(~snap.closed)
    win = open_win_probability(
        params, deals.funnel(rows), deals.segment[rows], snap.current[rows], cutoff
    )
    frame = pl.DataFrame(
        {
            "opportunity_id": ids.gather(rows),
            "true_win_probability": win,
            "future_status": pl.Series(np.where(deals.won[rows], "won", "lost")),
            "future_close_on": date_series("future_close_on", deals.close_t[rows]),
        }
    )
    return frame.cast(dict(OPPORTUNITY_TRUTH_SCHEMA))  # type: ignore[arg-type]


def margin_truth_frame(params: DemoParams, opportunities: pl.DataFrame) -> pl.DataFrame:
    """Per product: the planted list-price margin (fraction 0-1), its standard deviation and
    the won deals given a cost; realised margins are lower by the discount (demo/costs.py)."""
    counts = opportunities.filter(pl.col("cost_minor").is_not_null()).group_by("product").len()
    by_product = dict(counts.iter_rows())
    return pl.DataFrame(
        {
            "product": [p.id for p in params.products],
            "planted_margin": [p.gross_margin for p in params.products],
            "margin_sigma": [params.margin_sigma] * len(params.products),
            "won_with_cost": [int(by_product.get(p.id, 0)) for p in params.products],
        },
        schema=MARGIN_TRUTH_SCHEMA,
    )
