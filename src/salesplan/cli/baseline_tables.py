"""Compact tables of the baseline's extra sections (one per section, people-facing).

The machine form of the same sections is in cli/baseline_sections.py.
"""

from __future__ import annotations

from typing import Any

from salesplan.cli.baseline_sections import finding_message
from salesplan.cli.output import Column, Kind, TableResult
from salesplan.i18n import N_, Translator
from salesplan.services.baseline import BaselineReport

_TREND_LABELS = {
    "win_rate": N_("Win rate (count)"),
    "win_rate_value": N_("Win rate (value)"),
    "deals_won": N_("Deals won"),
    "bookings": N_("Bookings"),
    "avg_deal": N_("Average deal size"),
    "median_deal": N_("Median deal size"),
    "cycle_median_days": N_("Sales cycle, median days"),
    "pipeline_created": N_("Pipeline created"),
    "pipeline_created_count": N_("Deals created"),
    "leads": N_("Leads"),
    "lead_to_opportunity": N_("Lead to opportunity"),
    "churn": N_("Customer churn"),
    "activities": N_("Activities"),
    "outreach_to_meeting": N_("Outreach to meeting"),
}
_KINDS = {"rate": Kind.RATE, "money": Kind.MONEY, "count": Kind.INT, "days": Kind.INT}


def _table(title: str, columns: list[Column], rows: list[dict[str, Any]]) -> TableResult:
    return TableResult(title=title, columns=columns, rows=rows)


def sections_tables(report: BaselineReport, t: Translator) -> list[TableResult]:
    qoq = {x.metric: x.relative_change for x in report.trends.qoq}
    trends = _table(
        N_("Trends"),
        [
            Column("metric", N_("Metric"), labels=_TREND_LABELS),
            Column("current", N_("This period"), Kind.PER_ROW),
            Column("previous", N_("Same period last year"), Kind.PER_ROW),
            Column("yoy", N_("Change vs last year"), Kind.RATE),
            Column("qoq", N_("Last quarter vs the one before"), Kind.RATE),
        ],
        [
            {
                "metric": x.metric,
                "kind": _KINDS[x.unit],
                "current": x.current,
                "previous": x.previous,
                "yoy": x.relative_change,
                "qoq": qoq.get(x.metric),
            }
            for x in report.trends.yoy
        ],
    )
    leads = _table(
        N_("Lead funnel by source"),
        [
            Column("source", N_("Source")),
            Column("leads", N_("Leads"), Kind.INT),
            Column("mql", N_("Lead to MQL"), Kind.RATE),
            Column("sql", N_("MQL to SQL"), Kind.RATE),
            Column("opp", N_("SQL to opportunity"), Kind.RATE),
            Column("won", N_("Opportunity to won"), Kind.RATE),
            Column("lead_won", N_("Lead to won"), Kind.RATE),
        ],
        [
            {
                "source": f.source or t.gettext("All sources"),
                "leads": f.leads,
                "mql": f.lead_to_mql.rate,
                "sql": f.mql_to_sql.rate,
                "opp": f.sql_to_opportunity.rate,
                "won": f.opportunity_to_won.rate,
                "lead_won": f.lead_to_won.rate,
            }
            for f in report.leads
        ],
    )
    a = report.activities
    activities = _table(
        N_("Activities"),
        [
            Column("calls", N_("Calls"), Kind.INT),
            Column("emails", N_("Emails"), Kind.INT),
            Column("meetings", N_("Meetings booked"), Kind.INT),
            Column("demos", N_("Demos"), Kind.INT),
            Column("per_week", N_("Per rep and week, median"), Kind.INT),
            Column("conversion", N_("Outreach to meeting"), Kind.RATE),
        ],
        [
            {
                "calls": a.calls,
                "emails": a.emails,
                "meetings": a.meetings,
                "demos": a.demos,
                "per_week": a.per_rep_week_median,
                "conversion": a.outreach_to_meeting.rate,
            }
        ],
    )
    retention = _table(
        N_("Retention"),
        [
            Column("segment", N_("Segment")),
            Column("customers", N_("Customers at start"), Kind.INT),
            Column("churned", N_("Churned"), Kind.INT),
            Column("retention", N_("Logo retention"), Kind.RATE),
            Column("renewal", N_("Renewal rate"), Kind.RATE),
            Column("nrr", N_("Net revenue retention"), Kind.RATE),
        ],
        [
            {
                "segment": r.segment or t.gettext("All segments"),
                "customers": r.customers_at_start,
                "churned": r.churned,
                "retention": r.logo_retention.rate,
                "renewal": r.renewal.rate,
                "nrr": r.nrr,
            }
            for r in report.retention
        ],
    )
    reasons = _table(
        N_("Loss reasons"),
        [
            Column("reason", N_("Reason")),
            Column("lost", N_("Lost"), Kind.INT),
            Column("share", N_("Share"), Kind.RATE),
            Column("cumulative", N_("Cumulative share"), Kind.RATE),
        ],
        [
            {"reason": r.reason, "lost": r.lost, "share": r.share, "cumulative": r.cumulative_share}
            for r in report.losses.reasons
        ],
    )
    competitors = _table(
        N_("Competitors"),
        [
            Column("competitor", N_("Competitor")),
            Column("lost", N_("Lost"), Kind.INT),
            Column("won", N_("Won"), Kind.INT),
            Column("win_rate", N_("Win rate"), Kind.RATE),
        ],
        [
            {"competitor": k.competitor, "lost": k.lost, "won": k.won, "win_rate": k.win_rate.rate}
            for k in report.losses.competitors
        ],
    )
    return [
        trends,
        leads,
        activities,
        retention,
        reasons,
        competitors,
        *_rep_and_segment_tables(report, t),
    ]


def _rep_and_segment_tables(report: BaselineReport, t: Translator) -> list[TableResult]:
    labels = {"attainment": N_("Quota attainment"), "win_rate": N_("Win rate, shrunk")}
    quantile_rows = []
    for key, values in (
        ("attainment", report.reps.attainment_quantiles),
        ("win_rate", report.reps.win_rate_quantiles),
    ):
        if values is not None:
            quantile_rows.append(
                {
                    "metric": key,
                    **dict(zip(("p10", "p25", "p50", "p75", "p90"), values, strict=True)),
                }
            )
    reps = _table(
        N_("Rep performance distribution"),
        [
            Column("metric", N_("Metric"), labels=labels),
            *(Column(k, k, Kind.RATE) for k in ("p10", "p25", "p50", "p75", "p90")),
        ],
        quantile_rows,
    )
    segments = _table(
        N_("Segments and ICP fit"),
        [
            Column("rank", N_("ICP rank"), Kind.INT),
            Column("segment", N_("Segment")),
            Column("win_rate", N_("Win rate, shrunk"), Kind.RATE),
            Column("avg_deal", N_("Average deal size"), Kind.MONEY),
            Column("cycle", N_("Sales cycle, median days"), Kind.INT),
            Column("retention", N_("Logo retention"), Kind.RATE),
            Column("share", N_("Share of revenue"), Kind.RATE),
            Column("ltv", N_("Lifetime value proxy"), Kind.MONEY),
        ],
        [
            {
                "rank": s.icp_rank,
                "segment": s.segment,
                "win_rate": s.win_rate_shrunk,
                "avg_deal": s.avg_deal_minor,
                "cycle": s.cycle_median_days,
                "retention": s.logo_retention.rate,
                "share": s.revenue_share,
                "ltv": s.ltv_proxy_minor,
            }
            for s in report.segments
        ],
    )
    kinds = {"strength": N_("Strength"), "obstacle": N_("Obstacle")}
    findings = _table(
        N_("Findings"),
        [Column("kind", N_("Kind"), labels=kinds), Column("message", N_("Finding"))],
        [{"kind": f.kind, "message": finding_message(f, t)} for f in report.findings],
    )
    return [reps, segments, findings]
