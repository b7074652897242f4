"""The CRM's view at as_of: the opportunity table and its stage history.

The simulation knows every deal's whole future; here it is censored at as_of. A deal whose
close lies after as_of is open in the last stage it entered by then, with the rep's stated
(optimistic, sometimes stale) close date. Amounts are in the account's currency, whole units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.accounts import Accounts
from salesplan.demo.catalog import FxTable
from salesplan.demo.competition import won_competitors
from salesplan.demo.deals import Deals
from salesplan.demo.funnel import mean_dwell
from salesplan.demo.names import NEXT_STEPS_EN, NEXT_STEPS_ZH, pick, serial_ids
from salesplan.demo.params import DemoParams
from salesplan.demo.sampling import draw_by_row, weighted_choice
from salesplan.demo.timeline import (
    BoolArray,
    FloatArray,
    IntArray,
    Timeline,
    date_series,
    timestamp_series,
    with_nulls,
)
from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import StageList

ESTIMATE_SIGMA = 0.2
"""Sigma of log(early amount estimate / final amount) before the proposal stage."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Per deal, what the CRM shows at as_of."""

    closed: BoolArray
    current: IntArray
    """Open-stage index the deal sits in (open deals) or ended in (closed deals)."""
    stated: FloatArray
    """n × K stated close date (epoch day) recorded on entering each open stage."""
    close_day: IntArray
    """`close_date` column: real close for closed deals, stated (maybe pushed) for open ones."""
    final_minor: IntArray
    early_minor: IntArray
    """Amount before the amount is fixed at the second-to-last open stage (proposal)."""
    amount_missing: BoolArray
    zero_lost: BoolArray
    currency: IntArray
    utc_offset: IntArray


def opportunity_ids(n: int) -> pl.Series:
    return serial_ids("OPP-", n, 7)


def _whole_units(x: FloatArray) -> IntArray:
    """Amounts as people type them: whole units, hundreds above 10,000; at least 1."""
    units = np.where(x >= 10_000, np.round(x / 100.0) * 100.0, np.round(x))
    return np.maximum(units, 1).astype(np.int64)


def build_snapshot(
    params: DemoParams,
    deals: Deals,
    accounts: Accounts,
    fx: FxTable,
    timeline: Timeline,
    rng: np.random.Generator,
) -> Snapshot:
    n = len(deals)
    cutoff = timeline.cutoff
    closed = deals.close_t < cutoff
    reached = (deals.entered < cutoff).sum(axis=1)
    current = np.where(closed, deals.final, deals.start + reached - 1)
    dwell = mean_dwell(params)
    remaining = np.cumsum(dwell[:, ::-1], axis=1)[:, ::-1][deals.segment]
    opt_lo, opt_hi = params.close_date_optimism
    optimism = rng.uniform(opt_lo, opt_hi, n)
    stated = np.floor(deals.entered + optimism[:, None] * remaining)
    now_stated = stated[np.arange(n), current]
    lo, hi = params.close_date_push_days
    pushed = (now_stated < timeline.end_day) & (rng.random(n) < params.close_date_update_share)
    push_to = timeline.end_day + rng.integers(lo, hi + 1, n)
    open_close = np.where(pushed, push_to, now_stated)
    close_day = np.where(closed, np.floor(deals.close_t), open_close).astype(np.int64)
    currency = accounts.currency[deals.account]
    rate = fx.rate(currency, deals.t0)
    final_x = deals.amount_cny / rate
    final_minor = _whole_units(final_x) * 100
    early_minor = _whole_units(final_x * np.exp(rng.normal(0.0, ESTIMATE_SIGMA, n))) * 100
    amount_missing = ~closed & (current < 2) & (rng.random(n) < params.missing_amount_share)
    zero_lost = closed & ~deals.won & (rng.random(n) < params.zero_amount_lost_share)
    offsets = np.asarray([r.utc_offset_hours for r in params.regions])[deals.region]
    return Snapshot(closed, current.astype(np.int64), stated, close_day, final_minor,
                    early_minor, amount_missing, zero_lost, currency, offsets)  # fmt: skip


def _loss_reasons(
    params: DemoParams, deals: Deals, lost: BoolArray, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """(loss reason index, competitor index), -1 where none."""
    n = len(deals)
    reason = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(lost)
    reason[rows] = draw_by_row(rng, params.loss_reason_weights, deals.final[rows])
    names = params.loss_reasons
    named = np.isin(reason, [names.index("price"), names.index("missing_feature")]) & (
        rng.random(n) < params.competitor_named_share
    )
    has_competitor = (reason == names.index("lost_to_competitor")) | named
    competitor = np.full(n, -1, dtype=np.int64)
    mainland = np.asarray([r.mainland for r in params.regions])[deals.region]
    for is_mainland, w in (
        (True, params.competitor_weights_mainland),
        (False, params.competitor_weights_abroad),
    ):
        rows = np.flatnonzero(has_competitor & (mainland == is_mainland))
        competitor[rows] = weighted_choice(rng, w, len(rows))
    return reason, competitor


def opportunities_frame(
    params: DemoParams,
    stages: StageList,
    deals: Deals,
    snap: Snapshot,
    accounts: Accounts,
    ids: pl.Series,
    account_ids: pl.Series,
    account_names: pl.Series,
    person_ids: pl.Series,
    fx: FxTable,
    timeline: Timeline,
    last_activity: IntArray,
    rng: np.random.Generator,
    competitor_rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The `opportunity` frame (rows in id order = creation order) and the competitor truth.

    `competitor_rng` draws only the competitors of won deals (demo/competition.py), so the
    draws from `rng` are the same with or without it."""
    n, k = deals.entered.shape
    open_ = ~snap.closed
    lost = snap.closed & ~deals.won
    won = snap.closed & deals.won
    opens = stages.open_stages
    keys = [s.key for s in opens] + [stages.won_key, stages.lost_key]
    codes = [s.code for s in opens] + [
        stages.code_of(stages.won_key),
        stages.code_of(stages.lost_key),
    ]
    probs = [s.default_probability for s in opens] + [
        stages.by_key(stages.won_key).default_probability,
        stages.by_key(stages.lost_key).default_probability,
    ]
    stage = np.where(won, k, np.where(lost, k + 1, snap.current))
    status = np.where(won, 1, np.where(lost, 2, 0))
    amount = np.where(open_ & (snap.current < k - 2), snap.early_minor, snap.final_minor)
    amount = np.where(snap.zero_lost, 0, amount)
    category_by_stage = ["pipeline"] * (k - 2) + ["best_case", "commit"]
    categories = (*category_by_stage, "closed", "omitted")
    category = np.where(snap.closed, k, snap.current)
    in_stage = timeline.cutoff - snap_entered(deals, snap.current)
    stale = in_stage > np.maximum(3 * mean_dwell(params)[deals.segment, snap.current], 60.0)
    omit_p = np.where(stale, params.stale_omitted_share, params.omitted_share)
    category = np.where(open_ & (rng.random(n) < omit_p), k + 1, category)
    reason, competitor = _loss_reasons(params, deals, lost, rng)
    mainland = np.asarray([r.mainland for r in params.regions])[deals.region]
    beaten = won_competitors(params.competitors, params.competitor_win_odds, mainland,
                             deals.close_t, won, competitor, competitor_rng)  # fmt: skip
    competitor = np.where(won, beaten.competitor, competitor)
    has_step = open_ & (rng.random(n) < params.next_step_share)
    overdue = rng.random(n) < params.next_step_overdue_share
    step_day = np.where(
        overdue,
        timeline.end_day - rng.integers(1, 30, n),
        timeline.end_day + rng.integers(1, 22, n),
    )
    step_idx = np.minimum(snap.current, len(NEXT_STEPS_EN) - 1)
    step_text = pick(NEXT_STEPS_ZH, step_idx).zip_with(
        pl.Series(mainland), pick(NEXT_STEPS_EN, step_idx)
    )
    product_names = pick(tuple(p.name for p in params.products), deals.product)
    frame = pl.DataFrame(
        {
            "id": ids,
            "name": account_names.gather(deals.account) + " - " + product_names,
            "account_id": account_ids.gather(deals.account),
            "owner_id": person_ids.gather(deals.owner),
            "pipeline": pick(tuple(t.pipeline for t in params.deal_types), deals.type),
            "amount_minor": with_nulls(pl.Series(amount), ~snap.amount_missing),
            "currency": pick(fx.currencies, snap.currency),
            "created_on": date_series("created_on", deals.t0),
            "close_date": date_series("close_date", snap.close_day),
            "closed_on": date_series("closed_on", deals.close_t, snap.closed),
            "stage": pick(tuple(keys), stage),
            "stage_code": pl.Series(np.asarray(codes)[stage]),
            "status": pick(("open", "won", "lost"), status),
            "probability": pl.Series(np.asarray(probs)[stage]),
            "forecast_category": pick(categories, category),
            "type": pick(tuple(t.key for t in params.deal_types), deals.type),
            "source": with_nulls(
                pick(tuple(s.key for s in params.sources), np.maximum(deals.source, 0)),
                deals.source >= 0,
            ),
            "product": pick(tuple(p.id for p in params.products), deals.product),
            "segment": pick(tuple(s.key for s in params.segments), deals.segment),
            "region": pick(tuple(r.key for r in params.regions), deals.region),
            "industry": pick(params.industries, accounts.industry[deals.account]),
            "loss_reason": with_nulls(
                pick(params.loss_reasons, np.maximum(reason, 0)), reason >= 0
            ),
            "competitor": with_nulls(
                pick(params.competitors, np.maximum(competitor, 0)), competitor >= 0
            ),
            "promotion": with_nulls(
                pick(tuple(p.key for p in params.promotions), np.maximum(deals.promotion, 0)),
                deals.promotion >= 0,
            ),
            "discount_pct": pl.Series(deals.discount, nan_to_null=True),
            "next_step": with_nulls(step_text, has_step),
            "next_step_date": date_series("next_step_date", step_day, has_step),
            "last_activity_on": date_series("last_activity_on", last_activity, last_activity >= 0),
        }
    )
    return conform(RecordKind.OPPORTUNITY, frame), beaten.truth


def snap_entered(deals: Deals, stage_idx: IntArray) -> FloatArray:
    """Instant each deal entered the given open stage."""
    return np.asarray(deals.entered[np.arange(len(deals)), stage_idx], dtype=np.float64)


def stage_events_frame(
    stages: StageList, deals: Deals, snap: Snapshot, ids: pl.Series, timeline: Timeline
) -> pl.DataFrame:
    """One row per stage entered by as_of, in order per deal; closed deals end with their
    won/lost row. Amount and close date are as the CRM held them at that moment."""
    k = deals.entered.shape[1]
    close = np.where(snap.closed, deals.close_t, np.nan)
    times = np.hstack([deals.entered, close[:, None]])
    rows, cols = np.nonzero(times < timeline.cutoff)
    t = times[rows, cols]
    won_code = stages.code_of(stages.won_key)
    lost_code = stages.code_of(stages.lost_key)
    open_codes = np.asarray([s.code for s in stages.open_stages])
    closing = cols == k
    code = np.where(
        closing,
        np.where(deals.won[rows], won_code, lost_code),
        open_codes[np.minimum(cols, k - 1)],
    )
    keys = [s.key for s in stages.open_stages] + [stages.won_key, stages.lost_key]
    key_idx = np.where(closing, np.where(deals.won[rows], k, k + 1), cols)
    amount = np.where(cols < k - 2, snap.early_minor[rows], snap.final_minor[rows])
    amount = np.where(closing & snap.zero_lost[rows], 0, amount)
    stated = snap.stated[rows, np.minimum(cols, k - 1)]
    close_day = np.where(closing, np.floor(t), stated)
    frame = pl.DataFrame(
        {
            "opportunity_id": ids.gather(rows),
            "stage": pick(tuple(keys), key_idx),
            "stage_code": pl.Series(code),
            "entered_at": timestamp_series("entered_at", t, snap.utc_offset[rows]),
            "amount_minor": with_nulls(pl.Series(amount), ~snap.amount_missing[rows]),
            "close_date": date_series("close_date", close_day),
        }
    )
    return conform(RecordKind.STAGE_EVENT, frame)
