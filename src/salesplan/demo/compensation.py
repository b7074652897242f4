"""Quotas and costs of the team, in each person's currency (CNY in mainland teams, else USD).

Quotas are set the way many companies do it: last twelve months' bookings per quota-carrying
head of the role, times a stretch factor, with ±10 % individual variation; so attainment in the
data is realistic (average a little under 100 %) rather than arbitrary.
"""

from __future__ import annotations

import numpy as np

from salesplan.demo.catalog import FxTable
from salesplan.demo.deals import Deals
from salesplan.demo.params import DemoParams
from salesplan.demo.team import MANAGER, OPS, STILL_EMPLOYED, Team
from salesplan.demo.timeline import IntArray, Timeline

ABROAD_CURRENCY = "USD"


def person_currency(params: DemoParams, team: Team) -> list[str]:
    mainland = team.team_mainland[team.person_team]
    return [params.plan_currency if m else ABROAD_CURRENCY for m in mainland.tolist()]


def _to_minor(cny: np.ndarray, rate: np.ndarray, step: float) -> IntArray:
    """CNY → person currency, rounded to `step` whole units, as minor units."""
    return np.asarray(np.round(cny / rate / step) * step * 100, dtype=np.int64)


def annual_costs(
    params: DemoParams, team: Team, fx: FxTable, timeline: Timeline, rng: np.random.Generator
) -> IntArray:
    """Yearly fully loaded cost per person, minor units of the person's currency."""
    base = {r.key: r.annual_cost_cny for r in params.roles}
    base[MANAGER] = params.manager_cost_cny
    base[OPS] = params.ops_cost_cny
    role_cost = np.asarray([base[k] for k in team.role_keys])[team.person_role]
    mainland = team.team_mainland[team.person_team]
    cny = role_cost * np.where(mainland, 1.0, params.abroad_cost_factor)
    cny = cny * rng.uniform(0.85, 1.2, len(cny))
    return _to_minor(cny, _rates(params, team, fx, timeline), 1000.0)


def _rates(params: DemoParams, team: Team, fx: FxTable, timeline: Timeline) -> np.ndarray:
    currency = person_currency(params, team)
    idx = np.asarray([fx.index(c) for c in currency], dtype=np.int64)
    return fx.rate(idx, np.full(len(idx), timeline.end_day))


def annual_quotas(
    params: DemoParams,
    team: Team,
    deals: Deals,
    fx: FxTable,
    timeline: Timeline,
    rng: np.random.Generator,
) -> IntArray:
    """Yearly bookings quota per quota carrier (0 for others), minor units of their currency."""
    window_start = timeline.end_day - 365
    won = deals.won & (deals.close_t >= window_start) & (deals.close_t < timeline.cutoff)
    deal_role = team.person_role[deals.owner]
    role = team.person_role
    start = np.maximum(team.person_start, window_start)
    end = np.minimum(np.where(team.person_end >= STILL_EMPLOYED, timeline.end_day,
                              team.person_end), timeline.end_day)  # fmt: skip
    years = np.maximum(end - start, 0) / 365.0
    quota_cny = np.zeros(len(role))
    for r in params.roles:
        if not r.quota:
            continue
        rid = team.role_of(r.key)
        heads = years[role == rid].sum()
        bookings = deals.amount_cny[won & (deal_role == rid)].sum()
        per_head = bookings / heads if heads > 0 else 0.0
        quota_cny[role == rid] = per_head * params.quota_stretch
    quota_cny *= rng.uniform(0.9, 1.1, len(role))
    return _to_minor(quota_cny, _rates(params, team, fx, timeline), 10_000.0)
