"""The floor of `baseline_1m`: the baseline's figures written directly as plain Polars queries.

Issue 4 asks for the full baseline within 1.5× of "the same metrics written directly as
Polars queries". So this computes every figure of `services.baseline.baseline_report` that
needs a pass over the data, as straightforward queries (no `salesplan.analytics` code): for
the period, the year before and the two quarters of the trends, the deal figures (won, lost,
bookings, closed value, median deal, cycle p50/p75/p90, pipeline created) overall and per
segment and per owner; stage conversion overall and per segment (entered, advanced, died,
time in stage); the seasonality index; the lead funnel overall and per source; activities
(totals, per rep, outreach → meeting); retention and NRR overall and per account segment,
churn for the trend windows; loss reasons and competitors; rep quotas and attainment.

Like any direct script it builds each shared input once (events sorted once, leads joined to
their deals once, outreach targets grouped once) and runs all queries with `collect_all`.
Not recomputed: Wilson intervals, shrinkage, ICP arithmetic and findings, which are
arithmetic on a few hundred aggregated numbers (microseconds, no pass over the data).
`tests/test_benchmark_baseline_floor.py` checks the figures equal the service's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from salesplan.domain.periods import add_months, parse_period
from salesplan.services.baseline import BaselineFrames

WON, CLOSED = pl.col("status") == "won", pl.col("status").is_in(["won", "lost"])
AMOUNT = pl.col("amount_plan_minor")
OUTREACH, MEETINGS = ["call", "email", "social"], ["meeting", "demo"]


def _in(column: str, start: dt.date, end: dt.date) -> pl.Expr:
    if column in ("entered_at", "occurred_at", "first_touch"):
        lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
        return (pl.col(column) >= lo) & (pl.col(column) < hi)
    return (pl.col(column) >= start) & (pl.col(column) < end)


def windows(as_of: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The period (last-12m), the same dates a year earlier, and the trends' two quarters."""
    period = parse_period("last-12m", as_of)
    before = period.previous_year()
    q_end = dt.date(period.end.year, 3 * ((period.end.month - 1) // 3) + 1, 1)
    q_start = add_months(q_end, -3)
    return {
        "period": (period.start, period.end),
        "year_ago": (before.start, before.end),
        "quarter": (q_start, q_end),
        "quarter_before": (add_months(q_start, -3), q_start),
    }


def deal_figures(o: pl.LazyFrame, start: dt.date, end: dt.date, keys: list[str]) -> pl.LazyFrame:
    cycle = (pl.col("closed_on") - pl.col("created_on")).dt.total_days().filter(WON)
    closed = [
        WON.sum().alias("won"),
        pl.len().alias("closed"),
        AMOUNT.filter(WON).sum().alias("bookings"),
        AMOUNT.sum().alias("closed_value"),
        AMOUNT.filter(WON).median().alias("median_deal"),
        *(cycle.quantile(q, "linear").alias(f"cycle_p{round(q * 100)}") for q in (0.5, 0.75, 0.9)),
    ]
    created = [pl.len().alias("created"), AMOUNT.sum().alias("created_minor")]
    a = o.filter(CLOSED & _in("closed_on", start, end))
    b = o.filter(_in("created_on", start, end))
    if not keys:
        return pl.concat([a.select(closed), b.select(created)], how="horizontal")
    return (
        a.group_by(keys)
        .agg(closed)
        .join(b.group_by(keys).agg(created), on=keys, how="full", coalesce=True, nulls_equal=True)
    )


def stage_figures(f: BaselineFrames, start: dt.date, end: dt.date) -> dict[str, pl.LazyFrame]:
    """advanced = entered a higher non-lost stage after the deal's first entry of the stage."""
    lost = [s.code for s in f.stages.stages if s.status.value == "lost"]
    opened = [s.code for s in f.stages.open_stages]
    deal, code, at = pl.col("opportunity_id"), pl.col("stage_code"), pl.col("entered_at")
    ev = (
        f.events.lazy()
        .select("opportunity_id", "stage_code", "entered_at")
        .sort("opportunity_id", "entered_at", maintain_order=True)
        .with_columns(pl.when(deal.shift(-1) == deal).then(code.shift(-1)).alias("next_code"))
    )
    first = ev.filter(code.is_in(opened)).group_by(deal, code).agg(at.min().alias("first_at"))
    later = ev.filter(~code.is_in(lost)).select(deal, code.alias("to"), at.alias("to_at"))
    advanced = (
        first.join(later, on="opportunity_id")
        .filter((pl.col("to") > code) & (pl.col("to_at") > pl.col("first_at")))
        .group_by(deal, code)
        .agg(pl.col("to_at").min().alias("advanced_at"))
    )
    entries = ev.filter(_in("entered_at", start, end) & code.is_in(opened)).unique(
        ["opportunity_id", "stage_code"], keep="first", maintain_order=True
    )
    paths = entries.join(advanced, on=["opportunity_id", "stage_code"], how="left")
    moved = pl.col("advanced_at").is_not_null()
    days = (pl.col("advanced_at") - at).dt.total_seconds() / 86_400
    figures = [
        pl.len().alias("entered"),
        moved.sum().alias("advanced"),
        (~moved & pl.col("next_code").is_in(lost)).sum().alias("died"),
        days.filter(moved).quantile(0.5, "linear").alias("p50"),
        days.filter(moved).quantile(0.75, "linear").alias("p75"),
    ]
    segment = f.opportunities.lazy().select(pl.col("id").alias("opportunity_id"), "segment")
    return {
        "stages": paths.group_by(code).agg(figures),
        "stages_by_segment": paths.join(segment, on="opportunity_id", how="left")
        .group_by("segment", code)
        .agg(figures),
    }


def seasonality(o: pl.DataFrame) -> list[float]:
    won = o.filter(WON & pl.col("closed_on").is_not_null() & AMOUNT.is_not_null())
    cap = won["amount_plan_minor"].cast(pl.Float64).quantile(0.9, "linear")
    monthly = won.group_by(pl.col("closed_on").dt.truncate("1mo").alias("month")).agg(
        AMOUNT.cast(pl.Float64).clip(upper_bound=cap).sum().alias("x")
    )
    first, last = monthly["month"].min(), monthly["month"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    months = pl.date_range(first, last, "1mo", eager=True).alias("month").to_frame()
    x = months.join(monthly, on="month", how="left").fill_null(0.0).slice(1)
    x = x.head(x.height - 1)
    cma = (
        0.5 * pl.col("x").shift(6)
        + pl.sum_horizontal(pl.col("x").shift(k) for k in range(-5, 6))
        + 0.5 * pl.col("x").shift(-6)
    ) / 12
    ratios = (
        x.with_columns(cma.alias("cma"))
        .filter(pl.col("cma") > 0)
        .group_by(pl.col("month").dt.month().alias("m"))
        .agg((pl.col("x") / pl.col("cma")).mean().alias("r"))
        .sort("m")
    )
    raw = ratios["r"].to_list()
    return [12 * r / sum(raw) for r in raw]


def retention_figures(f: BaselineFrames, start: dt.date, end: dt.date) -> dict[str, pl.LazyFrame]:
    since, churned = pl.col("customer_since"), pl.col("churned_on")
    at_start = ((since < start) & (churned.is_null() | (churned >= start))).fill_null(False)
    accounts = f.accounts.lazy().select(
        "id",
        "segment",
        at_start.alias("at_start"),
        (at_start & (churned < end)).fill_null(False).alias("churned"),
        _in("customer_since", start, end).fill_null(False).alias("new"),
        ((since < end) & (churned.is_null() | (churned >= end))).fill_null(False).alias("at_end"),
        (since.is_null() & churned.is_not_null()).alias("missing"),
    )
    counts = [pl.col(c).sum() for c in ("at_start", "churned", "new", "at_end", "missing")]
    o = f.opportunities.lazy()
    renewals = o.filter((pl.col("type") == "renewal") & CLOSED & _in("closed_on", start, end))
    renewal = [
        pl.len().alias("renewals"),
        WON.sum().alias("renewals_won"),
        AMOUNT.sum().alias("renewal_value"),
        AMOUNT.filter(WON).sum().alias("won_value"),
    ]
    days = (end - start).days
    bookings = (
        o.filter(WON & _in("closed_on", start - dt.timedelta(days=days), end))
        .join(accounts.filter(pl.col("at_start")), left_on="account_id", right_on="id")
        .with_columns((pl.col("closed_on") >= start).alias("now"))
    )
    nrr = [
        AMOUNT.filter("now").sum().alias("now"),
        AMOUNT.filter(~pl.col("now")).sum().alias("before"),
    ]
    segment = accounts.select("id", pl.col("segment").alias("account_segment"))
    return {
        "accounts": accounts.select(counts),
        "accounts_by_segment": accounts.group_by("segment").agg(counts),
        "renewals": renewals.select(renewal),
        "renewals_by_segment": renewals.join(segment, left_on="account_id", right_on="id")
        .group_by("account_segment")
        .agg(renewal),
        "nrr": bookings.select(nrr),
        "nrr_by_segment": bookings.group_by(pl.col("segment_right").alias("account_segment")).agg(
            nrr
        ),
    }


def floor(f: BaselineFrames) -> dict[str, Any]:
    """Every figure (see module doc), as DataFrames and a few lists of floats."""
    o = f.opportunities.lazy()
    span = windows(f.as_of)
    start, end = span["period"]
    queries: dict[str, pl.LazyFrame] = {}
    for name, (a, b) in span.items():
        queries[f"deals.{name}"] = deal_figures(o, a, b, [])
    queries["deals.segment"] = deal_figures(o, start, end, ["segment"])
    queries["deals.owner_id"] = deal_figures(o, start, end, ["owner_id"])
    queries.update(stage_figures(f, start, end))
    # Leads: joined to their deals once; each period filters the cohort.
    deals = o.select(
        pl.col("id").alias("opportunity_id"),
        pl.col("status").alias("deal"),
        AMOUNT.alias("deal_amount"),
    )
    st = pl.col("status")
    is_opp = (
        pl.col("opportunity_id").is_not_null()
        | pl.col("converted_on").is_not_null()
        | (st == "converted")
    )
    is_sql = is_opp | pl.col("sql_on").is_not_null() | (st == "sql")
    is_mql = is_sql | pl.col("mql_on").is_not_null() | (st == "mql")
    won_lead = is_opp & (pl.col("deal") == "won").fill_null(False)
    funnel = [
        pl.len().alias("leads"),
        is_mql.sum().alias("mql"),
        is_sql.sum().alias("sql"),
        is_opp.sum().alias("opportunities"),
        (is_opp & pl.col("deal").is_in(["won", "lost"]).fill_null(False)).sum().alias("closed"),
        won_lead.sum().alias("won"),
        (st == "disqualified").sum().alias("disqualified"),
        pl.col("deal_amount").filter(won_lead).sum().alias("bookings"),
    ]
    leads = f.leads.lazy().join(deals, on="opportunity_id", how="left")
    for name, (a, b) in span.items():
        queries[f"leads.{name}"] = leads.filter(_in("created_on", a, b)).select(funnel)
    queries["leads.source"] = (
        leads.filter(_in("created_on", start, end)).group_by("source").agg(funnel)
    )
    # Activities: per-rep volumes in the period; outreach targets grouped once.
    act = f.activities.lazy()
    t = pl.col("type")
    held = t.is_in(MEETINGS) & (pl.col("outcome").fill_null("") != "no_show")
    volumes = [(t == k).sum().alias(k) for k in ("call", "email", "meeting", "demo")]
    in_period = act.filter(_in("occurred_at", start, end))
    queries["activities"] = in_period.select(
        *volumes,
        pl.len().alias("total"),
        held.sum().alias("held"),
        t.is_in(OUTREACH).sum().alias("outreach"),
    )
    weeks = (end - start).days / 7
    per_rep = in_period.group_by("owner_id").agg(*volumes, pl.len().alias("total"))
    queries["activities.reps"] = per_rep
    queries["activities.per_week"] = per_rep.select(
        *(
            (pl.col("total") / weeks).quantile(q, "linear").alias(f"p{round(q * 100)}")
            for q in (0.25, 0.5, 0.75)
        )
    )
    opp, lead, acc = pl.col("opportunity_id"), pl.col("lead_id"), pl.col("account_id")
    kind = pl.when(opp.is_not_null()).then(0).when(lead.is_not_null()).then(1).otherwise(2)
    targets = (
        act.with_columns(kind.alias("kind"), pl.coalesce(opp, lead, acc).alias("target"))
        .filter(pl.col("target").is_not_null())
        .group_by("kind", "target")
        .agg(
            pl.col("occurred_at").filter(t.is_in(OUTREACH)).min().alias("first_touch"),
            pl.col("occurred_at").filter(held).max().alias("last_meeting"),
        )
    )
    for name, (a, b) in span.items():
        queries[f"outreach.{name}"] = targets.filter(_in("first_touch", a, b)).select(
            pl.len().alias("targets"),
            (pl.col("last_meeting") > pl.col("first_touch")).sum().alias("converted"),
        )
        queries[f"activities.total.{name}"] = act.filter(_in("occurred_at", a, b)).select(pl.len())
    # Retention for the period; churn for the trend windows.
    for name, (a, b) in span.items():
        for key, query in retention_figures(f, a, b).items():
            if name == "period" or key == "accounts":
                queries[f"{key}.{name}"] = query
    # Losses and competitors.
    closed = o.filter(CLOSED & _in("closed_on", start, end))
    lost = pl.col("status") == "lost"
    queries["loss_reasons"] = (
        closed.filter(lost)
        .group_by("loss_reason")
        .agg(pl.len().alias("lost"), AMOUNT.fill_null(0).sum().alias("amount"))
    )
    queries["competitors"] = (
        closed.filter(pl.col("competitor").is_not_null())
        .group_by("competitor")
        .agg(
            lost.sum().alias("lost"),
            (~lost).sum().alias("won"),
            AMOUNT.filter(lost).fill_null(0).sum().alias("amount"),
        )
    )
    queries["competitive"] = closed.select(pl.col("competitor").is_not_null().sum(), pl.len())
    # Reps: the period's quota (annual × days employed ÷ 365, half-even) and attainment.
    first = pl.max_horizontal(pl.col("start_date").fill_null(start), pl.lit(start))
    last = pl.min_horizontal(
        (pl.col("end_date") + dt.timedelta(days=1)).fill_null(end), pl.lit(end)
    )
    covered = (last - first).dt.total_days().clip(0, 365)
    product = pl.col("quota_plan_minor") * covered
    quota = product // 365 + (2 * (product % 365) > 365).cast(pl.Int64)  # half-even: 365 is odd
    queries["reps"] = (
        f.team.lazy()
        .select(pl.col("id").alias("owner_id"), quota.alias("quota"))
        .join(queries["deals.owner_id"].select("owner_id", "bookings"), on="owner_id", how="left")
        .filter(pl.col("quota") > 0)
        .select((pl.col("bookings").fill_null(0) / pl.col("quota")).alias("attainment"))
        .select(
            *(
                pl.col("attainment").quantile(q, "linear").alias(f"p{round(q * 100)}")
                for q in (0.1, 0.25, 0.5, 0.75, 0.9)
            ),
            (pl.col("attainment") >= 1).sum().alias("at_quota"),
            pl.len().alias("with_quota"),
        )
    )
    names = list(queries)
    result: dict[str, Any] = dict(zip(names, pl.collect_all(queries.values()), strict=True))
    result["seasonality"] = seasonality(
        f.opportunities.select("status", "closed_on", "amount_plan_minor")
    )
    return result
