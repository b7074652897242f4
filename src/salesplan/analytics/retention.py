"""Customer retention and churn (account level), renewals and net revenue retention.

For the period [start, end) of D days:

- customers at start: customer_since < start and (churned_on null or churned_on ≥ start);
- churned: of those, churned_on < end; retained = at start − churned;
- logo retention = retained ÷ at start and churn = churned ÷ at start (Rates);
  annualised churn = 1 − (1 − churn)^(365 / D);
- new customers: customer_since in the period;
- accounts that churned but have no customer_since cannot be placed: `missing_since`;
- renewals: renewal opportunities closed in the period, renewal rate = won ÷ closed (Rate),
  by value = won amount ÷ closed amount;
- net revenue retention (NRR), only when the data has renewal opportunities: bookings (every
  won deal, plan-currency minor units) closed in the period on accounts that were customers at
  its start ÷ their bookings closed in the D days before it. For annual contracts that is the
  bookings analogue of ARR-based NRR: renewals, expansions and churn all move it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.rates import Rate, rate


@dataclass(frozen=True, slots=True)
class Retention:
    segment: str | None
    overall: bool
    customers_at_start: int
    churned: int
    retained: int
    new_customers: int
    customers_at_end: int
    missing_since: int
    logo_retention: Rate
    churn: Rate
    annualised_churn: float | None
    renewal: Rate
    renewal_value_rate: float | None
    nrr: float | None
    cohort_bookings_minor: int
    cohort_previous_bookings_minor: int


def _account_counts(accounts: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    since, churned = pl.col("customer_since"), pl.col("churned_on")
    at_start = (since < start) & (churned.is_null() | (churned >= start))
    at_start = at_start.fill_null(False)
    at_end = ((since < end) & (churned.is_null() | (churned >= end))).fill_null(False)
    return accounts.with_columns(
        at_start.alias("at_start"),
        (at_start & (churned < end)).fill_null(False).alias("churned_in"),
        ((since >= start) & (since < end)).fill_null(False).alias("new"),
        at_end.alias("at_end"),
        (since.is_null() & churned.is_not_null()).alias("missing"),
    )


def _renewals(opportunities: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    return opportunities.filter(
        (pl.col("type") == "renewal")
        & pl.col("status").is_in(["won", "lost"])
        & (pl.col("closed_on") >= start)
        & (pl.col("closed_on") < end)
    )


def _won_between(opportunities: pl.DataFrame, ids: pl.Series, start: dt.date, end: dt.date) -> int:
    won = opportunities.filter(
        (pl.col("status") == "won")
        & (pl.col("closed_on") >= start)
        & (pl.col("closed_on") < end)
        & pl.col("account_id").is_in(ids.implode())
    )
    return int(won["amount_plan_minor"].sum() or 0)


def _one(
    accounts: pl.DataFrame,
    opportunities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    segment: str | None,
    overall: bool,
    has_renewals: bool,
) -> Retention:
    flagged = _account_counts(accounts, start, end)
    n_start = int(flagged["at_start"].sum())
    churned = int(flagged["churned_in"].sum())
    days = (end - start).days
    churn = rate(churned, n_start)
    annual = None
    if churn.rate is not None and days > 0:
        annual = 1 - (1 - churn.rate) ** (365 / days)
    renewals = _renewals(opportunities, start, end)
    won = renewals.filter(pl.col("status") == "won")
    closed_value = int(renewals["amount_plan_minor"].sum() or 0)
    won_value = int(won["amount_plan_minor"].sum() or 0)
    cohort = flagged.filter(pl.col("at_start"))["id"]
    now = _won_between(opportunities, cohort, start, end)
    before = _won_between(opportunities, cohort, start - dt.timedelta(days=days), start)
    return Retention(
        segment=segment,
        overall=overall,
        customers_at_start=n_start,
        churned=churned,
        retained=n_start - churned,
        new_customers=int(flagged["new"].sum()),
        customers_at_end=int(flagged["at_end"].sum()),
        missing_since=int(flagged["missing"].sum()),
        logo_retention=rate(n_start - churned, n_start),
        churn=churn,
        annualised_churn=annual,
        renewal=rate(won.height, renewals.height),
        renewal_value_rate=won_value / closed_value if closed_value > 0 else None,
        nrr=now / before if has_renewals and before > 0 else None,
        cohort_bookings_minor=now,
        cohort_previous_bookings_minor=before,
    )


def retention(
    accounts: pl.DataFrame,
    opportunities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    by_segment: bool = True,
) -> list[Retention]:
    """Overall retention first, then one row per account segment (see module doc).

    `opportunities` needs account_id, type, status, closed_on and amount_plan_minor; a
    renewal's segment is its account's segment.
    """
    has_renewals = bool((opportunities["type"] == "renewal").any())
    result = [_one(accounts, opportunities, start, end, None, True, has_renewals)]
    if not by_segment:
        return result
    segments = accounts["segment"].unique().sort(nulls_last=True).to_list()
    for segment in segments:
        mine = accounts.filter(pl.col("segment").eq_missing(segment))
        deals = opportunities.filter(pl.col("account_id").is_in(mine["id"].implode()))
        result.append(_one(mine, deals, start, end, segment, False, has_renewals))
    return result
