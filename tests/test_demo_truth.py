"""The ground-truth frames are calibrated: realised outcomes match the recorded probabilities."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from salesplan.demo import DemoDataset, generate
from salesplan.domain.records import RecordKind

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def data() -> DemoDataset:
    return generate("medium", 99, AS_OF)


def _entered(data: DemoDataset) -> pl.DataFrame:
    """(opportunity, open stage entered by as_of) with the deal's attributes and its final
    outcome: the CRM status if closed, else the simulated future from `opportunity_truth`."""
    opp = data.frames[RecordKind.OPPORTUNITY].join(
        data.opportunity_truth, left_on="id", right_on="opportunity_id", how="left"
    )
    opp = opp.with_columns(
        won_eventually=pl.when(pl.col("status") == "open")
        .then(pl.col("future_status") == "won")
        .otherwise(pl.col("status") == "won")
    )
    open_codes = [s.code for s in data.stages.open_stages]
    events = data.frames[RecordKind.STAGE_EVENT].filter(pl.col("stage_code").is_in(open_codes))
    return events.select("opportunity_id", "stage").join(
        opp.select("id", "segment", "type", "status", "created_on", "won_eventually"),
        left_on="opportunity_id",
        right_on="id",
    )


def _assert_calibrated(observed: pl.DataFrame, allowance: float) -> None:
    """|empirical − true| < 4 standard errors (binomial at the true p) + allowance, per cell."""
    checked = observed.with_columns(
        se=(
            pl.col("true_win_probability") * (1 - pl.col("true_win_probability")) / pl.col("n")
        ).sqrt(),
        gap=(pl.col("empirical") - pl.col("true_win_probability")).abs(),
    )
    bad = checked.filter(pl.col("gap") >= 4 * pl.col("se") + allowance)
    assert bad.height == 0, bad


def test_truth_matches_outcomes_of_every_deal_that_entered_the_stage(data: DemoDataset) -> None:
    """`truth` averages over all generated deals, so every deal that entered stage s counts,
    with its eventual outcome (deals still open resolve in the simulated future). The small
    allowance covers deals that reach s only after as_of."""
    entered = _entered(data)
    observed = entered.group_by("segment", "stage").agg(
        empirical=pl.col("won_eventually").mean(), n=pl.len()
    )
    joined = data.truth.join(observed, on=["segment", "stage"], how="left")
    assert joined["n"].null_count() == 0
    _assert_calibrated(joined, allowance=0.01)


def test_closed_new_business_calibrates_against_truth_by_type(data: DemoDataset) -> None:
    """Closed new-business deals created over a year before as_of (almost none still open):
    the win share of those that were at stage s matches P(win | s) for new business."""
    entered = _entered(data).filter(
        (pl.col("status") != "open")
        & (pl.col("type") == "new")
        & (pl.col("created_on") < AS_OF - dt.timedelta(days=365))
    )
    observed = entered.group_by("segment", "type", "stage").agg(
        empirical=(pl.col("status") == "won").mean(), n=pl.len()
    )
    truth = data.truth_by_type.filter(pl.col("type") == "new")
    joined = truth.join(observed, on=["segment", "type", "stage"], how="inner")
    assert joined.height == truth.height
    _assert_calibrated(joined, allowance=0.01)


def test_open_deal_truth_is_calibrated(data: DemoDataset) -> None:
    truth = data.opportunity_truth
    opp = data.frames[RecordKind.OPPORTUNITY]
    assert (
        truth["opportunity_id"].to_list() == opp.filter(pl.col("status") == "open")["id"].to_list()
    )
    assert (truth["future_close_on"] > AS_OF).all()
    p = truth["true_win_probability"].to_numpy()
    won = (truth["future_status"] == "won").to_numpy()
    bins = np.digitize(p, [0.25, 0.5, 0.75])
    for b in np.unique(bins):
        mask = bins == b
        expected = p[mask].mean()
        se = np.sqrt((p[mask] * (1 - p[mask])).sum()) / mask.sum()
        assert abs(won[mask].mean() - expected) < 4 * se + 0.01, b


def test_truth_orders(data: DemoDataset) -> None:
    """Later stages are closer to a win; bigger segments win less (configured base rates)."""
    truth = data.truth
    for segment in truth["segment"].unique():
        p = truth.filter(pl.col("segment") == segment).sort("stage_code")["true_win_probability"]
        assert p.is_sorted(), segment
    first = truth.filter(pl.col("stage_code") == data.stages.open_stages[0].code)
    order = [s.key for s in data.params.segments]
    ranked = first.with_columns(pl.col("segment").cast(pl.Enum(order))).sort("segment")
    assert ranked["true_win_probability"].is_sorted(descending=True)


def test_rep_skill_shows_in_rep_win_rates(data: DemoDataset) -> None:
    """Reps differ: closed new-business win rate rises with the rep's true skill."""
    opp = data.frames[RecordKind.OPPORTUNITY].filter(
        (pl.col("type") == "new") & (pl.col("status") != "open")
    )
    per_rep = (
        opp.group_by("owner_id")
        .agg(win=(pl.col("status") == "won").mean(), n=pl.len())
        .filter(pl.col("n") >= 200)
        .join(data.rep_truth, left_on="owner_id", right_on="team_member_id")
    )
    assert per_rep.height >= 10
    corr = np.corrcoef(per_rep["skill_log_odds"].to_numpy(), per_rep["win"].to_numpy())[0, 1]
    assert corr > 0.5
    quota_roles = data.frames[RecordKind.TEAM_MEMBER].filter(pl.col("role").is_in(["ae", "am"]))
    skills = data.rep_truth.filter(pl.col("team_member_id").is_in(quota_roles["id"].implode()))
    assert abs(skills["skill_log_odds"].mean()) < 0.05
    assert skills["skill_log_odds"].std() == pytest.approx(data.params.skill_sigma, rel=0.2)
