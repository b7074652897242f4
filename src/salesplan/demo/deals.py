"""Opportunities as simulated processes: new business, renewals of customers, expansions.

New deals come first (seasonal creation dates, lead sources, promotions); their wins make
customers; each customer's contract comes up for renewal every year (a lost renewal is a churn);
expansions fill the configured total. Everything is numpy arrays, one row per deal.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from salesplan.demo.accounts import Accounts
from salesplan.demo.funnel import FunnelResult, simulate
from salesplan.demo.params import DemoParams
from salesplan.demo.sampling import weighted_choice
from salesplan.demo.team import Team
from salesplan.demo.timeline import (
    BoolArray,
    FloatArray,
    IntArray,
    Timeline,
    creation_weights,
    sample_days,
)

NEW, EXPANSION, RENEWAL = 0, 1, 2
"""Indices into `DemoParams.deal_types`."""
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True, slots=True)
class Deals:
    """Parallel arrays, one row per deal; -1 / NaN mean "none"."""

    account: IntArray
    segment: IntArray
    region: IntArray
    type: IntArray
    source: IntArray
    promotion: IntArray
    discount: FloatArray
    product: IntArray
    owner: IntArray
    amount_cny: FloatArray
    """Final (net) amount, CNY."""
    t0: FloatArray
    """Creation instant (epoch days)."""
    start: IntArray
    shift: FloatArray
    """Log-odds offset on every stage's advance odds."""
    entered: FloatArray
    p: FloatArray
    final: IntArray
    won: BoolArray
    close_t: FloatArray
    stall: IntArray
    stretch: FloatArray
    extra: FloatArray

    def __len__(self) -> int:
        return len(self.account)

    @classmethod
    def concat(cls, parts: list[Deals]) -> Deals:
        return cls(*(np.concatenate([getattr(d, f.name) for d in parts]) for f in fields(cls)))

    def take(self, idx: IntArray) -> Deals:
        return Deals(*(getattr(self, f.name)[idx] for f in fields(self)))

    def funnel(self, idx: IntArray) -> FunnelResult:
        """The stage-walk part of the deals at `idx`."""
        return FunnelResult(
            self.entered[idx], self.p[idx], self.final[idx], self.won[idx], self.close_t[idx],
            self.stall[idx], self.stretch[idx], self.extra[idx],
        )  # fmt: skip


def ramp_shift(params: DemoParams, team: Team, owner: IntArray, day: FloatArray) -> FloatArray:
    """log odds multiplier of a ramping rep: ramp_start_odds on day one, 1 after ramp_months."""
    tenure = day - team.person_start[owner]
    ramp_days = np.maximum(team.person_ramp[owner], 1) * DAYS_PER_MONTH
    progress = np.clip(tenure / ramp_days, 0.0, 1.0)
    return np.asarray(np.log(params.ramp_start_odds + (1 - params.ramp_start_odds) * progress))


def _products(params: DemoParams, segment: IntArray, rng: np.random.Generator) -> IntArray:
    product = np.zeros(len(segment), dtype=np.int64)
    for s, seg in enumerate(params.segments):
        rows = np.flatnonzero(segment == s)
        product[rows] = weighted_choice(rng, seg.product_weights, len(rows))
    return product


def _amount(params: DemoParams, segment: IntArray, rng: np.random.Generator) -> FloatArray:
    median = np.asarray([s.amount_median_cny for s in params.segments])[segment]
    sigma = np.asarray([s.amount_sigma for s in params.segments])[segment]
    return np.asarray(median * np.exp(sigma * rng.standard_normal(len(segment))))


def _build(
    params: DemoParams,
    team: Team,
    accounts: Accounts,
    *,
    account: IntArray,
    deal_type: int,
    day: IntArray,
    amount_cny: FloatArray,
    product: IntArray,
    rng: np.random.Generator,
    source: IntArray | None = None,
    promotion: IntArray | None = None,
    discount: FloatArray | None = None,
) -> Deals:
    """Assign an owner, compute the odds offset and simulate the stage walk."""
    n = len(account)
    kind = params.deal_types[deal_type]
    source = np.full(n, -1, dtype=np.int64) if source is None else source
    promotion = np.full(n, -1, dtype=np.int64) if promotion is None else promotion
    discount = np.full(n, np.nan) if discount is None else discount
    region = accounts.region[account]
    segment = accounts.segment[account]
    t0 = day + rng.random(n)
    role = "ae" if deal_type == NEW else "am"
    owner = team.pick((role,), region, day, rng)
    source_odds = np.log(np.asarray([s.win_odds for s in params.sources] + [1.0]))
    promo_odds = np.log(np.asarray([p.win_odds for p in params.promotions] + [1.0]))
    shift = (
        team.person_skill[owner]
        + ramp_shift(params, team, owner, t0)
        + source_odds[source]
        + promo_odds[promotion]
        + np.log(kind.win_odds)
    )
    start = np.full(n, kind.start_stage, dtype=np.int64)
    result: FunnelResult = simulate(params, segment, start, shift, t0, rng)
    return Deals(
        account, segment, region, np.full(n, deal_type, dtype=np.int64), source, promotion,
        discount, product, owner, amount_cny * kind.amount_factor, t0, start, shift,
        result.entered, result.p, result.final, result.won, result.close_t, result.stall,
        result.stretch, result.extra,
    )  # fmt: skip


def new_deals(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    accounts: Accounts,
    n_engaged: int,
    n_new: int,
    rng: np.random.Generator,
) -> Deals:
    """New business: every engaged account gets at least one deal, some get more."""
    extra = rng.integers(0, n_engaged, max(0, n_new - n_engaged))
    account = np.concatenate([rng.permutation(n_engaged), extra])[:n_new].astype(np.int64)
    lunar = np.asarray([r.lunar for r in params.regions])[accounts.region[account]]
    day = np.zeros(n_new, dtype=np.int64)
    for is_lunar, weights in ((False, params.month_weights), (True, params.lunar_month_weights)):
        rows = np.flatnonzero(lunar == is_lunar)
        w = creation_weights(timeline, weights, params.weekday_weights, params.annual_growth)
        day[rows] = sample_days(rng, len(rows), w, timeline.start_day)
    source = weighted_choice(rng, [s.share for s in params.sources], n_new)
    promo_shares = [p.share for p in params.promotions]
    promotion = weighted_choice(rng, [*promo_shares, 1.0 - sum(promo_shares)], n_new)
    promotion[promotion == len(promo_shares)] = -1
    discount = np.full(n_new, np.nan)
    for i, promo in enumerate(params.promotions):
        if promo.discount is not None:
            rows = np.flatnonzero(promotion == i)
            discount[rows] = np.round(rng.uniform(*promo.discount, len(rows)), 2)
    segment = accounts.segment[account]
    gross = _amount(params, segment, rng)
    amount = gross * (1.0 - np.nan_to_num(discount))
    return _build(
        params, team, accounts, account=account, deal_type=NEW, day=day, amount_cny=amount,
        product=_products(params, segment, rng), rng=rng, source=source, promotion=promotion,
        discount=discount,
    )  # fmt: skip


@dataclass(slots=True)
class Customers:
    """Per account: customer since (epoch day, -1 = never), churn day (-1 = not churned) and the
    contract (amount CNY, product) that renewals carry forward."""

    since: IntArray
    churned: IntArray
    contract_cny: FloatArray
    contract_product: IntArray


def customers_from(deals: Deals, n_accounts: int, timeline: Timeline) -> Customers:
    """The first won deal closed by as_of makes its account a customer."""
    won = np.flatnonzero(deals.won & (deals.close_t < timeline.cutoff))
    won = won[np.argsort(deals.close_t[won], kind="stable")]
    acc, first = np.unique(deals.account[won], return_index=True)
    since = np.full(n_accounts, -1, dtype=np.int64)
    contract = np.zeros(n_accounts)
    product = np.zeros(n_accounts, dtype=np.int64)
    since[acc] = np.floor(deals.close_t[won[first]]).astype(np.int64)
    contract[acc] = deals.amount_cny[won[first]]
    product[acc] = deals.product[won[first]]
    return Customers(since, np.full(n_accounts, -1, dtype=np.int64), contract, product)


def renewals(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    accounts: Accounts,
    customers: Customers,
    rng: np.random.Generator,
) -> Deals:
    """Yearly renewals, one loop step per contract year; a renewal lost by as_of churns the
    account (`customers.churned` is updated), one still open or won late ends the chain."""
    parts: list[Deals] = []
    alive = customers.since >= 0
    last_close = customers.since.astype(np.float64)
    lo, hi = params.renewal_lead_days
    year = 1
    while alive.any():
        acc = np.flatnonzero(alive)
        anniversary = customers.since[acc] + np.round(365.25 * year).astype(np.int64)
        day = anniversary - rng.integers(lo, hi + 1, len(acc))
        ok = (day <= timeline.end_day) & (day > last_close[acc])
        alive[acc[~ok]] = False
        acc, day = acc[ok], day[ok]
        if len(acc) == 0:
            break
        uplift = np.exp(rng.normal(0.03, params.renewal_uplift_sigma, len(acc)))
        batch = _build(
            params, team, accounts, account=acc, deal_type=RENEWAL, day=day,
            amount_cny=customers.contract_cny[acc] * uplift,
            product=customers.contract_product[acc], rng=rng,
        )  # fmt: skip
        parts.append(batch)
        closed = batch.close_t < timeline.cutoff
        lost = closed & ~batch.won
        customers.churned[acc[lost]] = np.floor(batch.close_t[lost]).astype(np.int64)
        renewed = closed & batch.won
        alive[acc[~renewed]] = False
        customers.contract_cny[acc[renewed]] = batch.amount_cny[renewed]
        last_close[acc] = batch.close_t
        year += 1
    return Deals.concat(parts) if parts else _empty_like_renewals(params, team, accounts, rng)


def _empty_like_renewals(
    params: DemoParams, team: Team, accounts: Accounts, rng: np.random.Generator
) -> Deals:
    empty = np.zeros(0, dtype=np.int64)
    return _build(
        params, team, accounts, account=empty, deal_type=RENEWAL, day=empty,
        amount_cny=np.zeros(0), product=empty, rng=rng,
    )  # fmt: skip


def expansions(
    params: DemoParams,
    timeline: Timeline,
    team: Team,
    accounts: Accounts,
    customers: Customers,
    n: int,
    rng: np.random.Generator,
) -> Deals:
    """Exactly `n` expansion deals spread uniformly over customer-days (from
    `expansion_delay_days` after becoming a customer until churn or as_of)."""
    first = customers.since + params.expansion_delay_days
    last = np.where(customers.churned >= 0, customers.churned, timeline.end_day)
    exposure = np.where(customers.since >= 0, np.maximum(last - first, 0), 0).astype(np.float64)
    if n > 0 and exposure.sum() <= 0:
        raise ValueError("no customer time to place expansion deals in; check the parameters")
    acc = np.flatnonzero(exposure > 0)
    if n == 0:
        acc = acc[:0]
    chosen = acc[weighted_choice(rng, exposure[acc].tolist() or [1.0], n)] if n else acc
    day = first[chosen] + np.floor(rng.random(n) * (exposure[chosen] + 1)).astype(np.int64)
    segment = accounts.segment[chosen]
    return _build(
        params, team, accounts, account=chosen, deal_type=EXPANSION,
        day=np.minimum(day, timeline.end_day), amount_cny=_amount(params, segment, rng),
        product=_products(params, segment, rng), rng=rng,
    )  # fmt: skip
