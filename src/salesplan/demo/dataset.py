"""The generator's result: canonical frames plus the truth only a simulation can know."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from salesplan.demo.params import DemoParams, SizeName
from salesplan.demo.truth import MARGIN_TRUTH_SCHEMA
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import StageList


@dataclass(frozen=True)
class DemoDataset:
    """A synthetic CRM: one frame per record kind, each conforming to `SCHEMAS[kind]`.

    `truth` holds P(win | segment, stage) per segment × open stage as generated and
    `opportunity_truth` each open deal's own win probability and simulated future (see
    docs/demo-data.md). Money in frames is in minor units of each row's currency; the plan
    currency is CNY.
    """

    frames: dict[RecordKind, pl.DataFrame]
    stages: StageList
    truth: pl.DataFrame
    """segment, stage, stage_code, true_win_probability (0-1)."""
    opportunity_truth: pl.DataFrame
    """Open deals at as_of: opportunity_id, true_win_probability (0-1), future_status
    (won/lost, as the simulation continues past as_of), future_close_on."""
    truth_by_type: pl.DataFrame
    """segment, type, stage, stage_code, true_win_probability: `truth` per deal type."""
    rep_truth: pl.DataFrame
    """team_member_id, skill_log_odds, win_odds_multiplier: each person's latent skill."""
    competitor_truth: pl.DataFrame
    """competitor, win_odds, lost, expected_won, true_win_rate: the planted win rate against
    each competitor over the deals closed by as_of (demo/competition.py)."""
    params: DemoParams
    as_of: dt.date
    seed: int
    size: SizeName
    plan_currency: str = "CNY"
    margin_truth: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=MARGIN_TRUTH_SCHEMA)
    )
    """product, planted_margin, margin_sigma, won_with_cost: the planted list-price margin of
    won deals per product (demo/costs.py)."""

    def __getitem__(self, kind: RecordKind) -> pl.DataFrame:
        return self.frames[kind]
