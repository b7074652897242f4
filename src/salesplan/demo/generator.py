"""The orchestration: draw every part from its own seeded stream and assemble the dataset.

Each part (rates, team, accounts, new deals, renewals, ...) gets an independent generator
spawned from `numpy.random.default_rng(seed)`, so changing how one part draws leaves the
others' draws unchanged, and the same (size, seed, as_of) always yields identical frames.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from salesplan.demo.accounts import account_ids, accounts_frame, build_accounts
from salesplan.demo.activities import build_activities
from salesplan.demo.catalog import fx_table, products_frame
from salesplan.demo.compensation import annual_costs, annual_quotas, person_currency
from salesplan.demo.costs import with_costs
from salesplan.demo.dataset import DemoDataset
from salesplan.demo.deals import Deals, customers_from, expansions, new_deals, renewals
from salesplan.demo.leads import build_leads
from salesplan.demo.opportunities import (
    build_snapshot,
    opportunities_frame,
    opportunity_ids,
    stage_events_frame,
)
from salesplan.demo.params import DemoParams, SizeName, default_params
from salesplan.demo.team import build_team, person_ids
from salesplan.demo.timeline import Timeline
from salesplan.demo.truth import (
    margin_truth_frame,
    opportunity_truth_frame,
    rep_truth_frame,
    truth_by_type_frame,
    truth_frame,
)
from salesplan.domain.records import RecordKind
from salesplan.domain.stages import DEFAULT_STAGES

MIN_YEAR = 1980
"""Dates are epoch days and -1 means "none", so history (and hires before it) must be > 1970."""
_PARTS = (
    "fx", "team", "accounts", "new_deals", "renewals", "expansions", "snapshot",
    "opportunities", "leads", "activities", "compensation", "names", "competitors", "costs",
)  # fmt: skip
"""Append new parts at the end: spawned child i does not depend on how many follow it."""


def generate(
    size: SizeName, seed: int, as_of: dt.date, *, params: DemoParams | None = None
) -> DemoDataset:
    """Generate the demo company's CRM as of `as_of` (history: the 36 months before it).

    `params` overrides the documented defaults of `size` (its own `size` is then reported).
    Raises ValueError for an unknown size or parameters that cannot produce the dataset.
    """
    params = params if params is not None else default_params(size)
    stages = DEFAULT_STAGES
    if len(stages.open_stages) != params.open_stage_count:
        raise ValueError("segment stage parameters must match the stage list's open stages")
    if as_of.year < MIN_YEAR:
        raise ValueError(f"as_of must be in {MIN_YEAR} or later (epoch-day arithmetic)")
    timeline = Timeline.ending(as_of, params.history_months)
    rngs = dict(zip(_PARTS, np.random.default_rng(seed).spawn(len(_PARTS)), strict=True))

    fx = fx_table(params, timeline, rngs["fx"])
    team = build_team(params, timeline, rngs["team"])
    n_new = round(params.n_opportunities * params.new_share)
    n_engaged = max(1, round(n_new / params.deals_per_account))
    n_accounts = n_engaged + round(n_engaged * params.prospect_account_share)
    accounts = build_accounts(params, n_accounts, fx, timeline, rngs["accounts"])

    new = new_deals(params, timeline, team, accounts, n_engaged, n_new, rngs["new_deals"])
    customers = customers_from(new, n_accounts, timeline)
    renewed = renewals(params, timeline, team, accounts, customers, rngs["renewals"])
    n_expansion = params.n_opportunities - len(new) - len(renewed)
    if n_expansion < 0:
        raise ValueError(
            f"{len(new)} new and {len(renewed)} renewal deals exceed n_opportunities="
            f"{params.n_opportunities}; lower new_share"
        )
    grown = expansions(params, timeline, team, accounts, customers, n_expansion,
                       rngs["expansions"])  # fmt: skip
    deals = Deals.concat([new, renewed, grown])
    del new, renewed, grown  # the batches are large at 1m; keep one copy only
    deals = deals.take(np.argsort(deals.t0, kind="stable"))

    # Frames are built largest-transient first, so peak memory stays low at 1m.
    snap = build_snapshot(params, deals, accounts, fx, timeline, rngs["snapshot"])
    opp_ids = opportunity_ids(len(deals))
    people = person_ids(len(team.person_seat))
    acc_ids = account_ids(len(accounts))
    truth = truth_frame(params, stages, deals)
    truth_by_type = truth_by_type_frame(params, stages, deals)
    opportunity_truth = opportunity_truth_frame(params, deals, snap, opp_ids, timeline.cutoff)
    events = stage_events_frame(stages, deals, snap, opp_ids, timeline)
    until = np.where(customers.churned >= 0, customers.churned, timeline.end_day)
    leads = build_leads(params, timeline, team, accounts, deals, opp_ids, people, rngs["leads"])
    activities, last_activity = build_activities(
        params, timeline, team, deals, leads, customers.since, until, accounts.region,
        (opp_ids, leads.frame["id"], acc_ids, people), rngs["activities"],
    )  # fmt: skip
    account_frame = accounts_frame(params, accounts, fx, customers.since, customers.churned,
                                   rngs["names"])  # fmt: skip
    opportunity_frame, competitor_truth = opportunities_frame(
        params, stages, deals, snap, accounts, opp_ids, acc_ids, account_frame["name"], people,
        fx, timeline, last_activity, rngs["opportunities"], rngs["competitors"],
    )  # fmt: skip
    opportunity_frame = with_costs(params, opportunity_frame, rngs["costs"])
    comp = rngs["compensation"]
    quotas = annual_quotas(params, team, deals, fx, timeline, comp)
    costs = annual_costs(params, team, fx, timeline, comp)
    team_frame = team.frame(params, rngs["names"], quotas, costs, person_currency(params, team))

    frames = {
        RecordKind.OPPORTUNITY: opportunity_frame,
        RecordKind.STAGE_EVENT: events,
        RecordKind.ACCOUNT: account_frame,
        RecordKind.LEAD: leads.frame,
        RecordKind.ACTIVITY: activities,
        RecordKind.TEAM_MEMBER: team_frame,
        RecordKind.PRODUCT: products_frame(params),
        RecordKind.FX_RATE: fx.frame(),
    }
    return DemoDataset(
        frames=frames,
        stages=stages,
        truth=truth,
        opportunity_truth=opportunity_truth,
        truth_by_type=truth_by_type,
        rep_truth=rep_truth_frame(team, people),
        competitor_truth=competitor_truth,
        params=params,
        as_of=as_of,
        seed=seed,
        size=params.size,
        plan_currency=params.plan_currency,
        margin_truth=margin_truth_frame(params, opportunity_frame),
    )
