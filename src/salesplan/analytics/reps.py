"""Rep performance and its distribution: shrunk win rate, bookings, quota attainment.

Per deal owner, among deals closed in [start, end): won, lost, win rate (Rate) and the win
rate shrunk toward the team's pooled rate (rates.py: a rep with 3 of 3 won is not a 100 %
rep), bookings (plan-currency minor units).

Quota for the period = annual quota (plan currency) × covered ÷ 365, half-even, where
covered = days of the period the rep was employed (start_date ≤ day ≤ end_date, missing
dates meaning "always"), at most 365. Attainment = bookings ÷ period quota. The distribution
gives p10, p25, median, p75, p90 of attainment and of the shrunk win rate over reps with a
quota (attainment) or closed deals (win rate), and the share of reps at or above 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.rates import Rate, rate

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True, slots=True)
class RepPerformance:
    owner_id: str | None
    name: str | None
    role: str | None
    won: int
    lost: int
    win_rate: Rate
    win_rate_shrunk: float | None
    bookings_minor: int
    quota_minor: int | None
    attainment: float | None


@dataclass(frozen=True, slots=True)
class RepDistribution:
    reps: list[RepPerformance]
    attainment_quantiles: tuple[float, ...] | None
    """p10, p25, median, p75, p90; None without any rep holding a quota."""
    win_rate_quantiles: tuple[float, ...] | None
    at_or_above_quota: Rate


def period_quota(
    annual_minor: int | None,
    start: dt.date,
    end: dt.date,
    employed_from: dt.date | None,
    employed_to: dt.date | None,
) -> int | None:
    """The annual quota prorated to the days of [start, end) the rep was employed."""
    if annual_minor is None:
        return None
    first = max(start, employed_from) if employed_from else start
    last = min(end, employed_to + dt.timedelta(days=1)) if employed_to else end
    covered = min(365, max(0, (last - first).days))
    share = Decimal(annual_minor) * covered / Decimal(365)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _quantiles(values: Sequence[float]) -> tuple[float, ...] | None:
    if not values:
        return None
    series = pl.Series(values, dtype=pl.Float64)
    return tuple(float(series.quantile(q, interpolation="linear") or 0.0) for q in QUANTILES)


def rep_performance(
    opportunities: pl.DataFrame, team: pl.DataFrame, start: dt.date, end: dt.date
) -> RepDistribution:
    """Every owner with closed deals or a quota in the period (see module doc).

    `team` needs id, name, role, start_date, end_date and `quota_plan_minor` (the annual quota
    in plan-currency minor units, or null).
    """
    by_owner = baseline_groups(opportunities, start, end, ["owner_id"])
    groups = {g.group["owner_id"]: g for g in by_owner}
    people = {row["id"]: row for row in team.iter_rows(named=True)}
    (empty,) = baseline_groups(opportunities.clear(), start, end)
    reps = []
    for owner in sorted(set(groups) | set(people), key=lambda o: (o is None, o or "")):
        person = people.get(owner)
        g = groups.get(owner)
        quota = None
        if person is not None:
            quota = period_quota(
                person["quota_plan_minor"], start, end, person["start_date"], person["end_date"]
            )
            quota = quota or None  # zero days employed or zero quota: no attainment
        if quota is None and (g is None or g.won + g.lost == 0):
            continue  # neither closed deals nor a quota: nothing to judge
        g = g or empty
        bookings = g.bookings_minor
        reps.append(
            RepPerformance(
                owner_id=owner,
                name=person["name"] if person else None,
                role=person["role"] if person else None,
                won=g.won,
                lost=g.lost,
                win_rate=g.win_rate,
                win_rate_shrunk=g.win_rate_shrunk,
                bookings_minor=bookings,
                quota_minor=quota,
                attainment=bookings / quota if quota else None,
            )
        )
    attainments = [r.attainment for r in reps if r.attainment is not None]
    shrunk = [r.win_rate_shrunk for r in reps if r.win_rate_shrunk is not None and r.win_rate.n]
    return RepDistribution(
        reps=reps,
        attainment_quantiles=_quantiles(attainments),
        win_rate_quantiles=_quantiles(shrunk),
        at_or_above_quota=rate(sum(a >= 1 for a in attainments), len(attainments)),
    )
