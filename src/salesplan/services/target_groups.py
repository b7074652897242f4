"""The team and the groups behind `salesplan targets`: quota carriers, planned hires, and the
target's breakdown by region, segment, product or owner.

Quotas are converted to the plan currency at the rates valid on the data's as-of date. A
breakdown shares the annual target by historical bookings (last 12 months), by capacity, or
by explicit shares; locked groups keep their amount and the rest re-spreads; the group ×
month grid adds up exactly both ways (planning.decomposition.split_table).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from salesplan.analytics.currency import MissingRateError, to_plan_currency
from salesplan.domain.periods import Period
from salesplan.domain.targets import TargetInputs
from salesplan.errors import ConfigError, DataError
from salesplan.i18n.money import currency_exponent, minor_to_decimal
from salesplan.planning.capacity import Member, TeamCapacity
from salesplan.planning.decomposition import InfeasibleSplit, YearSplit, allocate, split_table
from salesplan.planning.targets import group_bookings

DIMENSIONS = {"region": "region", "segment": "segment", "product": "product", "owner": "owner_id"}


@dataclass(frozen=True, slots=True)
class GroupTarget:
    key: str
    share: float
    """The group's weight ÷ all weights (before locks)."""
    target_minor: int
    months: tuple[int, ...]
    locked: bool


def convert_quotas(
    team: pl.DataFrame, rates: pl.DataFrame, plan_currency: str, as_of: dt.date
) -> pl.DataFrame:
    """Add `quota_plan_minor`: the annual quota in plan-currency minor units on `as_of`."""
    frame = team.with_columns(
        pl.col("currency").fill_null(plan_currency),
        pl.col("annual_quota_minor").fill_null(0),
        pl.lit(as_of).alias("rate_day"),
    )
    codes = set(frame["currency"].unique().to_list()) | {plan_currency}
    try:
        return to_plan_currency(
            frame,
            rates,
            plan_currency,
            {code: currency_exponent(code) for code in codes},
            amount="annual_quota_minor",
            on="rate_day",
            out="quota_plan_minor",
        )
    except MissingRateError as exc:
        raise DataError(
            "No exchange rate to {plan} for {currencies}: import a rates file "
            "(`salesplan import rates FILE`).",
            plan=plan_currency,
            currencies=", ".join(exc.currencies),
        ) from exc


def typical(members: list[Member], role: str) -> tuple[int, int]:
    """Median quota and ramp of current members of `role` (of all members if none)."""
    pool = [m for m in members if not m.planned and m.role == role] or [
        m for m in members if not m.planned
    ]
    if not pool:
        raise ConfigError(
            "No team member with a quota to copy for planned hires of role {role}.", role=role
        )
    quota = round(statistics.median(m.annual_quota_minor for m in pool))
    ramp = round(statistics.median(m.ramp_months for m in pool))
    return int(quota), int(ramp)


def members(team: pl.DataFrame, inputs: TargetInputs) -> list[Member]:
    """Quota carriers employed at some point in the plan year, then the planned hires."""
    first, last = dt.date(inputs.year, 1, 1), dt.date(inputs.year, 12, 31)
    carriers = team.filter(
        pl.col("role").is_in(list(inputs.quota_roles))
        & (pl.col("quota_plan_minor") > 0)
        & (pl.col("start_date").is_null() | (pl.col("start_date") <= last))
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= first))
    ).sort("id")
    result = [
        Member(
            id=row["id"],
            role=row["role"],
            annual_quota_minor=int(row["quota_plan_minor"]),
            ramp_months=int(row["ramp_months"] or 0),
            start=row["start_date"],
            end=row["end_date"],
            name=row["name"],
            region=row["region"],
            segment=row["segment"],
        )
        for row in carriers.iter_rows(named=True)
    ]
    for index, hire in enumerate(inputs.planned_hires, start=1):
        quota, ramp = (
            typical(result, hire.role)
            if hire.annual_quota_minor is None or hire.ramp_months is None
            else (0, 0)
        )
        for n in range(1, hire.count + 1):
            result.append(
                Member(
                    id=f"hire-{index}-{n}",
                    role=hire.role,
                    annual_quota_minor=(
                        hire.annual_quota_minor if hire.annual_quota_minor is not None else quota
                    ),
                    ramp_months=hire.ramp_months if hire.ramp_months is not None else ramp,
                    start=hire.start,
                    planned=True,
                )
            )
    return result


def _weights(
    won: pl.DataFrame,
    period: Period,
    capacity: TeamCapacity,
    inputs: TargetInputs,
    by: str,
    basis: str,
) -> dict[str, Fraction]:
    if basis == "explicit":
        return {k: Fraction(v) for k, v in inputs.shares.items()}
    if basis == "capacity":
        if by == "product":
            raise ConfigError(
                "The basis {basis} cannot split by {by}; use history or explicit shares.",
                basis=basis,
                by=by,
            )
        result: dict[str, Fraction] = {}
        for row in capacity.members:
            m = row.member
            key = {"owner": m.id, "region": m.region, "segment": m.segment}[by] or ""
            result[key] = result.get(key, Fraction(0)) + row.capacity_minor
        return result
    window = won.filter((pl.col("closed_on") >= period.start) & (pl.col("closed_on") < period.end))
    bookings = group_bookings(window, DIMENSIONS[by])
    if by == "owner":
        current = {row.member.id for row in capacity.members if not row.member.planned}
        bookings = {k: v for k, v in bookings.items() if k in current}
    return {k: Fraction(v) for k, v in bookings.items()}


def break_down(
    won: pl.DataFrame,
    period: Period,
    capacity: TeamCapacity,
    split: YearSplit,
    target: int,
    inputs: TargetInputs,
    currency: str,
) -> tuple[list[GroupTarget], str | None]:
    """The target per group and month; ([], None) when no breakdown was asked for."""
    by = inputs.by
    if by is None:
        if inputs.locked_groups:
            raise ConfigError(
                "Locking a group ({value}) needs --by.", value=", ".join(inputs.locked_groups)
            )
        return [], None
    if by not in DIMENSIONS:
        raise ConfigError(
            "Unknown dimension {value} for {option}; use any of: {choices}.",
            value=by,
            option="--by",
            choices=", ".join(DIMENSIONS),
        )
    basis = inputs.basis or ("capacity" if by == "owner" else "history")
    weights = {k: w for k, w in _weights(won, period, capacity, inputs, by, basis).items() if w > 0}
    if not weights:
        raise DataError(
            "Nothing to share the target by {by} with the basis {basis}.", by=by, basis=basis
        )
    keys = sorted(weights, key=lambda k: (-weights[k], k))
    unknown = sorted(set(inputs.locked_groups) - set(keys))
    if unknown:
        raise ConfigError(
            "Cannot lock {value}: not a group of {by}; groups are: {choices}.",
            value=", ".join(unknown),
            by=by,
            choices=", ".join(keys),
        )
    locks = {keys.index(k): v for k, v in inputs.locked_groups.items()}
    try:
        totals = allocate(target, [weights[k] for k in keys], locks)
    except InfeasibleSplit:
        raise ConfigError(
            "The locked amounts ({locked}) do not fit in the target ({target}).",
            locked=str(minor_to_decimal(sum(locks.values()), currency)),
            target=str(minor_to_decimal(target, currency)),
        ) from None
    grid = split_table(totals, split.months)
    total_weight = sum(weights.values(), Fraction(0))
    return [
        GroupTarget(
            key=k,
            share=float(weights[k] / total_weight),
            target_minor=totals[i],
            months=tuple(grid[i]),
            locked=k in inputs.locked_groups,
        )
        for i, k in enumerate(keys)
    ], basis
