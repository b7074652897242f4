"""JSON of the baseline's extra sections (docs/methods.md, JSON contract); tables are in
cli/baseline_tables.py.

Keys: leads, activities, retention, losses, reps, trends, segments, findings. Money is a
decimal string, rates are fractions with n beside them, field names are English.
"""

from __future__ import annotations

from typing import Any

from salesplan.analytics.assessment import Finding
from salesplan.analytics.leads import LeadFunnel
from salesplan.analytics.rates import Rate
from salesplan.analytics.retention import Retention
from salesplan.analytics.trends import Trend
from salesplan.documents.labels import LABELS
from salesplan.i18n import Translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.baseline import FINDING_MESSAGES, BaselineReport


def rate_json(r: Rate) -> dict[str, Any]:
    return {
        "rate": r.rate,
        "n": r.n,
        "successes": r.successes,
        "low": r.low,
        "high": r.high,
        "low_confidence": r.low_confidence,
    }


def money(minor: int | float | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(round(minor), currency))


def _funnel(f: LeadFunnel, c: str) -> dict[str, Any]:
    return {
        "source": f.source,
        **{k: getattr(f, k) for k in ("leads", "mql", "sql", "opportunities", "closed", "won")},
        "disqualified": f.disqualified,
        "bookings": money(f.bookings_minor, c),
        "bookings_per_lead": money(f.bookings_per_lead_minor, c),
        **{
            k: rate_json(getattr(f, k))
            for k in (
                "lead_to_mql",
                "mql_to_sql",
                "sql_to_opportunity",
                "opportunity_to_won",
                "lead_to_opportunity",
                "lead_to_won",
            )
        },
    }


def _retention(r: Retention, c: str) -> dict[str, Any]:
    return {
        "segment": r.segment,
        **{
            k: getattr(r, k)
            for k in (
                "customers_at_start",
                "churned",
                "retained",
                "new_customers",
                "customers_at_end",
                "missing_since",
            )
        },
        "logo_retention": rate_json(r.logo_retention),
        "churn": rate_json(r.churn),
        "annualised_churn": r.annualised_churn,
        "renewal": rate_json(r.renewal),
        "renewal_value_rate": r.renewal_value_rate,
        "nrr": r.nrr,
        "cohort_bookings": money(r.cohort_bookings_minor, c),
        "cohort_previous_bookings": money(r.cohort_previous_bookings_minor, c),
    }


def _trend(t: Trend, c: str) -> dict[str, Any]:
    values: list[str | float | int | None] = [t.current, t.previous, t.change]
    if t.unit == "money":
        values = [money(v, c) for v in (t.current, t.previous, t.change)]
    keys = ("current", "previous", "change")
    return {
        "metric": t.metric,
        "unit": t.unit,
        **dict(zip(keys, values, strict=True)),
        "relative_change": t.relative_change,
    }


def _quantiles(values: tuple[float, ...] | None) -> dict[str, float] | None:
    keys = ("p10", "p25", "median", "p75", "p90")
    return None if values is None else dict(zip(keys, values, strict=True))


def finding_message(f: Finding, t: Translator) -> str:
    def show(value: float | None) -> str:
        if value is None:
            return "–"
        return t.number(value, 0) if f.code == "cycle_longer" else t.percent(value)

    subject = f.subject or ""
    if f.code == "demand_decline" and subject in LABELS["demand"]:
        subject = t.gettext(LABELS["demand"][subject])
    return t.gettext(
        FINDING_MESSAGES.get(f.code, f.code),
        segment=f.segment or "",
        stage=f.stage or "",
        subject=subject,
        value=show(f.value),
        benchmark=show(f.benchmark),
        n=f.n,
    )


def sections_payload(report: BaselineReport, t: Translator) -> dict[str, Any]:
    c = report.currency
    a, lost, reps, tr = report.activities, report.losses, report.reps, report.trends
    return {
        "leads": {
            "overall": _funnel(report.leads[0], c),
            "sources": [_funnel(f, c) for f in report.leads[1:]],
        },
        "activities": {
            "weeks": a.weeks,
            **{k: getattr(a, k) for k in ("total", "calls", "emails", "meetings", "demos")},
            "meetings_held": a.meetings_held,
            "per_rep_week": {
                "median": a.per_rep_week_median,
                "p25": a.per_rep_week_p25,
                "p75": a.per_rep_week_p75,
            },
            "outreach_to_meeting": rate_json(a.outreach_to_meeting),
            "meetings_per_100_touches": a.meetings_per_100_touches,
            "reps": [
                {
                    "owner_id": r.owner_id,
                    "calls": r.calls,
                    "emails": r.emails,
                    "meetings": r.meetings,
                    "demos": r.demos,
                    "total": r.total,
                    "per_week": r.per_week,
                }
                for r in a.reps
            ],
        },
        "retention": {
            "overall": _retention(report.retention[0], c),
            "segments": [_retention(r, c) for r in report.retention[1:]],
        },
        "losses": {
            "lost": lost.lost,
            "lost_amount": money(lost.lost_minor, c),
            "competitive_share": rate_json(lost.competitive_share),
            "reasons": [
                {
                    "reason": r.reason,
                    "lost": r.lost,
                    "amount": money(r.lost_minor, c),
                    "share": r.share,
                    "cumulative_share": r.cumulative_share,
                }
                for r in lost.reasons
            ],
            "competitors": [
                {
                    "competitor": k.competitor,
                    "lost": k.lost,
                    "won": k.won,
                    "win_rate": rate_json(k.win_rate),
                    "lost_amount": money(k.lost_minor, c),
                    "share_of_losses": k.share_of_losses,
                    "cumulative_share": k.cumulative_share,
                }
                for k in lost.competitors
            ],
        },
        "reps": {
            "attainment": _quantiles(reps.attainment_quantiles),
            "win_rate_shrunk": _quantiles(reps.win_rate_quantiles),
            "at_or_above_quota": rate_json(reps.at_or_above_quota),
            "reps": [
                {
                    "owner_id": r.owner_id,
                    "name": r.name,
                    "role": r.role,
                    "won": r.won,
                    "lost": r.lost,
                    "win_rate": rate_json(r.win_rate),
                    "win_rate_shrunk": r.win_rate_shrunk,
                    "bookings": money(r.bookings_minor, c),
                    "quota": money(r.quota_minor, c),
                    "attainment": r.attainment,
                }
                for r in reps.reps
            ],
        },
        "trends": {
            "yoy": [_trend(x, c) for x in tr.yoy],
            "quarter": {
                "start": tr.quarter[0].isoformat(),
                "end_exclusive": tr.quarter[1].isoformat(),
            },
            "qoq": [_trend(x, c) for x in tr.qoq],
        },
        "segments": [
            {
                "segment": s.segment,
                "won": s.won,
                "lost": s.lost,
                "win_rate": rate_json(s.win_rate),
                "win_rate_shrunk": s.win_rate_shrunk,
                "avg_deal": money(s.avg_deal_minor, c),
                "cycle_median_days": s.cycle_median_days,
                "bookings": money(s.bookings_minor, c),
                "revenue_share": s.revenue_share,
                "logo_retention": rate_json(s.logo_retention),
                "annualised_churn": s.annualised_churn,
                "churn_borrowed": s.churn_borrowed,
                "lifetime_years": s.lifetime_years,
                "ltv_proxy": money(s.ltv_proxy_minor, c),
                "icp_value_per_day": money(s.icp_score, c),
                "icp_fit": s.icp_fit,
                "icp_rank": s.icp_rank,
            }
            for s in report.segments
        ],
        "findings": [
            {
                "code": f.code,
                "kind": f.kind,
                "segment": f.segment,
                "stage": f.stage,
                "subject": f.subject,
                "value": f.value,
                "benchmark": f.benchmark,
                "n": f.n,
                "message": finding_message(f, t),
            }
            for f in report.findings
        ],
    }
