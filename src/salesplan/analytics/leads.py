"""The lead funnel: lead → MQL → SQL → opportunity → won, and lead quality by source.

Cohort: leads *created* in [start, end). A lead has *reached* a step when it shows that step
or any later one, so a lead with an `sql_on` date but no `mql_on` (a gap in the CRM) still
counts as an MQL:

- MQL: mql_on, sql_on or converted_on set, or status mql / sql / converted;
- SQL: sql_on or converted_on set, or status sql / converted;
- opportunity: opportunity_id or converted_on set, or status converted;
- won: its opportunity's status is won.

Step rates: mql ÷ leads, sql ÷ mql, opportunity ÷ sql, won ÷ closed opportunities (open ones
are excluded, they have not decided yet). Lead quality of a source = won ÷ leads and bookings
per lead (plan-currency minor units, half-even). Every rate is a Rate with n.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from salesplan.analytics.baseline import mean_minor
from salesplan.analytics.rates import Rate, rate


@dataclass(frozen=True, slots=True)
class LeadFunnel:
    """One source's (or, with source None and overall True, every lead's) funnel."""

    source: str | None
    overall: bool
    leads: int
    mql: int
    sql: int
    opportunities: int
    closed: int
    won: int
    disqualified: int
    bookings_minor: int
    lead_to_mql: Rate
    mql_to_sql: Rate
    sql_to_opportunity: Rate
    opportunity_to_won: Rate
    lead_to_opportunity: Rate
    lead_to_won: Rate
    bookings_per_lead_minor: int | None


def lead_flags(leads: pl.DataFrame, opportunities: pl.DataFrame) -> pl.DataFrame:
    """Every lead with the steps it reached (is_mql, is_sql, is_opp, is_won, is_closed, is_dq)
    and its opportunity's amount: row by row, so one table serves every period's cohort."""
    status = pl.col("status")
    opp = opportunities.select(
        pl.col("id").alias("opportunity_id"),
        pl.col("status").alias("opp_status"),
        pl.col("amount_plan_minor").alias("opp_amount"),
    )
    converted = (
        pl.col("opportunity_id").is_not_null()
        | pl.col("converted_on").is_not_null()
        | (status == "converted")
    )
    sql = converted | pl.col("sql_on").is_not_null() | (status == "sql")
    mql = sql | pl.col("mql_on").is_not_null() | (status == "mql")
    columns = ["source", "created_on", "status", "opportunity_id", "converted_on", "sql_on"]
    return (
        leads.select(*columns, "mql_on")
        .join(opp, on="opportunity_id", how="left")
        .select(
            "source",
            "created_on",
            "opp_amount",
            mql.alias("is_mql"),
            sql.alias("is_sql"),
            converted.alias("is_opp"),
            (pl.col("opp_status") == "won").fill_null(False).alias("is_won"),
            pl.col("opp_status").is_in(["won", "lost"]).fill_null(False).alias("is_closed"),
            (status == "disqualified").alias("is_dq"),
        )
    )


_AGGS = [
    pl.len().cast(pl.Int64).alias("leads"),
    pl.col("is_mql").sum().cast(pl.Int64).alias("mql"),
    pl.col("is_sql").sum().cast(pl.Int64).alias("sql"),
    pl.col("is_opp").sum().cast(pl.Int64).alias("opportunities"),
    (pl.col("is_opp") & pl.col("is_closed")).sum().cast(pl.Int64).alias("closed"),
    (pl.col("is_opp") & pl.col("is_won")).sum().cast(pl.Int64).alias("won"),
    pl.col("is_dq").sum().cast(pl.Int64).alias("disqualified"),
    pl.col("opp_amount")
    .filter(pl.col("is_won") & pl.col("is_opp"))
    .sum()
    .cast(pl.Int64)
    .alias("bookings"),
]


def _row(values: dict[str, Any], source: str | None, overall: bool) -> LeadFunnel:
    leads, mql, sql = int(values["leads"]), int(values["mql"]), int(values["sql"])
    opps, closed, won = (int(values[k]) for k in ("opportunities", "closed", "won"))
    bookings = int(values["bookings"] or 0)
    return LeadFunnel(
        source=source,
        overall=overall,
        leads=leads,
        mql=mql,
        sql=sql,
        opportunities=opps,
        closed=closed,
        won=won,
        disqualified=int(values["disqualified"]),
        bookings_minor=bookings,
        lead_to_mql=rate(mql, leads),
        mql_to_sql=rate(sql, mql),
        sql_to_opportunity=rate(opps, sql),
        opportunity_to_won=rate(won, closed),
        lead_to_opportunity=rate(opps, leads),
        lead_to_won=rate(won, leads),
        bookings_per_lead_minor=mean_minor(bookings, leads),
    )


def lead_funnel(
    leads: pl.DataFrame,
    opportunities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    flagged: pl.DataFrame | None = None,
) -> list[LeadFunnel]:
    """The overall funnel first, then one per source (sorted by lead → won, best first).

    `opportunities` needs id, status and amount_plan_minor. `flagged`: `lead_flags(leads,
    opportunities)`, reused across periods when given.
    """
    in_period = (pl.col("created_on") >= start) & (pl.col("created_on") < end)
    if flagged is None:
        flagged = lead_flags(leads.filter(in_period), opportunities)
    else:
        flagged = flagged.filter(in_period)
    total = flagged.select(_AGGS).row(0, named=True)
    result = [_row(total, None, True)]
    per_source = flagged.group_by("source").agg(_AGGS).sort("source", nulls_last=True)
    rows = [_row(r, r["source"], False) for r in per_source.iter_rows(named=True)]
    rows.sort(key=lambda f: -(f.lead_to_won.rate or 0.0))
    return result + rows
