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


_COUNTS = [
    pl.col("at_start").sum().cast(pl.Int64).alias("n_start"),
    pl.col("churned_in").sum().cast(pl.Int64).alias("churned"),
    pl.col("new").sum().cast(pl.Int64).alias("new"),
    pl.col("at_end").sum().cast(pl.Int64).alias("at_end"),
    pl.col("missing").sum().cast(pl.Int64).alias("missing"),
]
_RENEWALS = [
    pl.len().cast(pl.Int64).alias("renewals"),
    (pl.col("status") == "won").sum().cast(pl.Int64).alias("renewals_won"),
    pl.col("amount_plan_minor").sum().cast(pl.Int64).alias("renewal_value"),
    pl.col("amount_plan_minor").filter(pl.col("status") == "won").sum().cast(pl.Int64)
    .alias("renewal_won_value"),
]  # fmt: skip
_BOOKINGS = [
    pl.col("now").sum().cast(pl.Int64).alias("now"),
    pl.col("before").sum().cast(pl.Int64).alias("before"),
]


def _row(
    values: dict[str, object], segment: str | None, overall: bool, days: int, has_renewals: bool
) -> Retention:
    def get(name: str) -> int:
        value = values.get(name)
        return int(value) if isinstance(value, int) else 0

    n_start, churned = get("n_start"), get("churned")
    churn = rate(churned, n_start)
    annual = None
    if churn.rate is not None and days > 0:
        annual = 1 - (1 - churn.rate) ** (365 / days)
    closed_value, won_value = get("renewal_value"), get("renewal_won_value")
    now, before = get("now"), get("before")
    return Retention(
        segment=segment,
        overall=overall,
        customers_at_start=n_start,
        churned=churned,
        retained=n_start - churned,
        new_customers=get("new"),
        customers_at_end=get("at_end"),
        missing_since=get("missing"),
        logo_retention=rate(n_start - churned, n_start),
        churn=churn,
        annualised_churn=annual,
        renewal=rate(get("renewals_won"), get("renewals")),
        renewal_value_rate=won_value / closed_value if closed_value > 0 else None,
        nrr=now / before if has_renewals and before > 0 else None,
        cohort_bookings_minor=now,
        cohort_previous_bookings_minor=before,
    )


def churn(accounts: pl.DataFrame, start: dt.date, end: dt.date) -> Rate:
    """Churned ÷ customers at start of [start, end): the overall churn Rate of `retention`,
    from the accounts alone."""
    counts = _account_counts(accounts.select("customer_since", "churned_on"), start, end)
    n_start, churned = counts.select(_COUNTS[:2]).row(0)
    return rate(int(churned), int(n_start))


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
    renewal's segment is its account's segment. Each figure is one aggregation over the
    accounts or the deals, grouped by segment (no pass per segment).
    """
    has_renewals = bool((opportunities["type"] == "renewal").any())
    days = (end - start).days
    flagged = _account_counts(accounts, start, end).lazy()
    closed_on, amount = pl.col("closed_on"), pl.col("amount_plan_minor")
    # Won bookings per account in the period (now) and the D days before it (before).
    bookings = (
        opportunities.lazy()
        .filter(
            (pl.col("status") == "won")
            & (closed_on >= start - dt.timedelta(days=days))
            & (closed_on < end)
            & pl.col("account_id").is_not_null()
        )
        .select(
            "account_id",
            pl.when(closed_on >= start).then(amount).alias("now"),
            pl.when(closed_on < start).then(amount).alias("before"),
        )
        .group_by("account_id")
        .agg(pl.col("now").sum(), pl.col("before").sum())  # plain sums: the fast path
    )
    renewals = (
        opportunities.lazy()
        .filter(
            (pl.col("type") == "renewal")
            & pl.col("status").is_in(["won", "lost"])
            & (closed_on >= start)
            & (closed_on < end)
        )
        .select("account_id", "status", "amount_plan_minor")
    )
    # An account id counts once per segment, as `is_in` over the segment's accounts would:
    # deduplicate unless the ids are strictly ascending (as stored), hence unique.
    unique_ids = accounts["id"].null_count() == 0 and bool(
        accounts.select((pl.col("id") > pl.col("id").shift(1)).fill_null(True).all()).item()
    )
    members = flagged.select("id", "segment")
    cohort = flagged.filter(pl.col("at_start")).select("id", "segment")
    if not unique_ids:
        members, cohort = members.unique(), cohort.unique()
    cohort = cohort.join(bookings, left_on="id", right_on="account_id")
    queries = [
        flagged.select(_COUNTS),
        renewals.select(_RENEWALS),
        (cohort if unique_ids else cohort.unique("id")).select(_BOOKINGS),
    ]
    if by_segment:
        queries += [
            flagged.group_by("segment").agg(_COUNTS),
            renewals.join(members, left_on="account_id", right_on="id")
            .group_by("segment")
            .agg(_RENEWALS),
            cohort.group_by("segment").agg(_BOOKINGS),
        ]
    tables = pl.collect_all(queries)
    overall: dict[str, object] = {}
    for table in tables[:3]:
        overall.update(table.row(0, named=True))
    result = [_row(overall, None, True, days, has_renewals)]
    if not by_segment:
        return result
    per_segment: dict[object, dict[str, object]] = {}
    for table in tables[3:]:
        for row in table.iter_rows(named=True):
            per_segment.setdefault(row["segment"], {}).update(row)
    for segment in accounts["segment"].unique().sort(nulls_last=True).to_list():
        result.append(_row(per_segment.get(segment, {}), segment, False, days, has_renewals))
    return result
