"""Activities: calls, e-mails, meetings and demos logged against deals, leads and customers.

Deal activities cluster after each stage entry (exponential delay) and stop at the next step, at
as_of, or when the owner leaves, so a stalled deal's `last_activity_on` goes stale. Leads get a
few SDR/BDR touches; customers get customer-success check-ins. Owners are always employed on the
activity's day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.deals import Deals
from salesplan.demo.leads import Leads
from salesplan.demo.names import pick, serial_ids
from salesplan.demo.params import DemoParams
from salesplan.demo.sampling import draw_by_row
from salesplan.demo.team import Team
from salesplan.demo.timeline import (
    FloatArray,
    IntArray,
    Timeline,
    timestamp_series,
    with_nulls,
)
from salesplan.domain.records import RecordKind, conform

TYPES: tuple[str, ...] = ("call", "email", "meeting", "demo", "social", "event", "other")
STAGE_TYPE_WEIGHTS: tuple[tuple[float, ...], ...] = (
    (0.40, 0.35, 0.00, 0.00, 0.17, 0.05, 0.03),
    (0.40, 0.30, 0.25, 0.00, 0.00, 0.02, 0.03),
    (0.30, 0.20, 0.45, 0.00, 0.00, 0.02, 0.03),
    (0.05, 0.10, 0.20, 0.62, 0.00, 0.00, 0.03),
    (0.20, 0.45, 0.30, 0.02, 0.00, 0.00, 0.03),
    (0.30, 0.20, 0.47, 0.00, 0.00, 0.00, 0.03),
)
"""Per open stage, weights over TYPES for deal activities."""
LEAD_TYPE_WEIGHTS = (0.45, 0.40, 0.0, 0.0, 0.12, 0.03, 0.0)
CSM_TYPE_WEIGHTS = (0.30, 0.30, 0.40, 0.0, 0.0, 0.0, 0.0)
OUTCOMES: tuple[str, ...] = (
    "connected", "no_answer", "voicemail", "sent", "replied", "completed", "no_show",
)  # fmt: skip
OUTCOME_WEIGHTS: tuple[tuple[float, ...], ...] = (
    (0.45, 0.40, 0.15, 0.0, 0.0, 0.0, 0.0),
    (0.0, 0.0, 0.0, 0.75, 0.25, 0.0, 0.0),
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.88, 0.12),
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.92, 0.08),
    (0.0, 0.0, 0.0, 0.8, 0.2, 0.0, 0.0),
    (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0),
    (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0),
)
"""Per type (rows, TYPES order), weights over OUTCOMES."""
DELAY_DAYS = 2.0
"""Mean days from a stage entry to each activity it prompts (exponential)."""
CSM_PERIOD_DAYS = 91.0


@dataclass(frozen=True, slots=True)
class _Part:
    t: FloatArray
    type: IntArray
    owner: IntArray
    opportunity: IntArray
    lead: IntArray
    account: IntArray
    region: IntArray


def _gather(ids: pl.Series, idx: IntArray) -> pl.Series:
    """`ids[idx]`, null where idx < 0."""
    if len(ids) == 0:
        return pl.Series([None] * len(idx), dtype=pl.String)
    return with_nulls(ids.gather(np.maximum(idx, 0)), idx >= 0)


def _expected(params: DemoParams, deals: Deals, leads: Leads, customer_days: float) -> float:
    per_stage = np.asarray(params.activities_per_stage)
    stage_rate = float((~np.isnan(deals.entered) * per_stage[None, :]).sum())
    csm = customer_days / CSM_PERIOD_DAYS * params.csm_touches_per_quarter
    return stage_rate + len(leads.created) * params.activities_per_lead + csm


def _deal_part(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    deals: Deals,
    scale: float,
    rng: np.random.Generator,
) -> tuple[_Part, IntArray]:
    """Activities after each stage entry, before the deal's next step; and each deal's last
    activity day (-1 when none)."""
    n = len(deals)
    cutoff = timeline.cutoff
    nxt = np.hstack([deals.entered[:, 1:], np.full((n, 1), np.nan)])
    nxt = np.where(np.isnan(nxt), deals.close_t[:, None], nxt)
    rows, cols = np.nonzero(deals.entered < cutoff)
    count = rng.poisson(np.asarray(params.activities_per_stage)[cols] * scale)
    d = np.repeat(rows, count)
    c = np.repeat(cols, count)
    t = deals.entered[d, c] + rng.exponential(DELAY_DAYS, len(d))
    owner = deals.owner[d]
    keep = (t < nxt[d, c]) & (t < cutoff) & (np.floor(t) <= team.person_end[owner])
    d, c, t, owner = d[keep], c[keep], t[keep], owner[keep]
    weights = np.asarray(STAGE_TYPE_WEIGHTS)
    kind = draw_by_row(rng, weights, np.minimum(c, len(weights) - 1))
    none = np.full(len(d), -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, d, np.floor(t).astype(np.int64))
    return _Part(t, kind, owner, d, none, deals.account[d], deals.region[d]), last


def _lead_part(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    leads: Leads,
    scale: float,
    rng: np.random.Generator,
) -> _Part:
    """A few SDR/BDR touches between a lead's arrival and its last working day."""
    per_lead = rng.poisson(params.activities_per_lead * scale, len(leads.created))
    li = np.repeat(np.arange(len(leads.created)), per_lead)
    span = leads.last_day[li] - leads.created[li] + 1
    t = np.asarray(leads.created[li] + rng.random(len(li)) * span, dtype=np.float64)
    owner = leads.owner[li]
    keep = (t < timeline.cutoff) & (np.floor(t) <= team.person_end[owner])
    li, t, owner = li[keep], t[keep], owner[keep]
    kind = draw_by_row(rng, [LEAD_TYPE_WEIGHTS], np.zeros(len(li), dtype=np.int64))
    none = np.full(len(li), -1, dtype=np.int64)
    return _Part(t, kind, owner, none, li, none, leads.region[li])


def _csm_part(
    params: DemoParams,
    team: Team,
    since: IntArray,
    until: IntArray,
    region: IntArray,
    scale: float,
    rng: np.random.Generator,
) -> _Part:
    """Customer-success check-ins while an account is a customer (until churn or as_of)."""
    acc = np.flatnonzero(since >= 0)
    days = (until - since)[acc]
    per_acc = rng.poisson(days / CSM_PERIOD_DAYS * params.csm_touches_per_quarter * scale)
    ai = np.repeat(acc, per_acc)
    t = np.asarray(since[ai] + rng.random(len(ai)) * (until - since)[ai], dtype=np.float64)
    reg = region[ai]
    day = np.floor(t).astype(np.int64)
    owner = team.pick(("csm",), reg, day, rng) if len(ai) else np.zeros(0, dtype=np.int64)
    kind = draw_by_row(rng, [CSM_TYPE_WEIGHTS], np.zeros(len(ai), dtype=np.int64))
    none = np.full(len(ai), -1, dtype=np.int64)
    return _Part(t, kind, owner, none, none, ai, reg)


def build_activities(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    deals: Deals,
    leads: Leads,
    customer_since: IntArray,
    customer_until: IntArray,
    customer_region: IntArray,
    ids: tuple[pl.Series, pl.Series, pl.Series, pl.Series],
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, IntArray]:
    """The `activity` frame (id order = time order) and each deal's last activity day."""
    opp_ids, lead_ids, account_ids, person_ids = ids
    is_customer = customer_since >= 0
    customer_days = float(np.where(is_customer, customer_until - customer_since, 0).sum())
    expected = _expected(params, deals, leads, customer_days)
    scale = min(1.0, 0.95 * params.activity_cap / max(expected, 1.0))
    deal_part, last = _deal_part(params, timeline, team, deals, scale, rng)
    parts = (
        deal_part,
        _lead_part(params, timeline, team, leads, scale, rng),
        _csm_part(params, team, customer_since, customer_until, customer_region, scale, rng),
    )
    t = np.concatenate([p.t for p in parts])
    order = np.argsort(t, kind="stable")
    t = t[order]

    def cat(name: str) -> IntArray:
        return np.asarray(np.concatenate([getattr(p, name) for p in parts])[order], np.int64)

    kind, opp, lead, account = cat("type"), cat("opportunity"), cat("lead"), cat("account")
    offsets = np.asarray([r.utc_offset_hours for r in params.regions])[cat("region")]
    outcome = draw_by_row(rng, OUTCOME_WEIGHTS, kind)
    frame = pl.DataFrame(
        {
            "id": serial_ids("ACT-", len(t), 8),
            "type": pick(TYPES, kind),
            "occurred_at": timestamp_series("occurred_at", t, offsets),
            "owner_id": person_ids.gather(cat("owner")),
            "opportunity_id": _gather(opp_ids, opp),
            "lead_id": _gather(lead_ids, lead),
            "account_id": _gather(account_ids, account),
            "outcome": pick(OUTCOMES, outcome),
        }
    )
    return conform(RecordKind.ACTIVITY, frame), last
