"""Target market, positioning and lead generation: the plan's words beside the data's evidence.

Segments, competitors, loss reasons, trends and lead sources come from the baseline of the
last 12 months (services.baseline); personas, pricing, tactics and cadences from the plan.
"""

from __future__ import annotations

from salesplan.analytics.trends import Trend
from salesplan.documents.inputs import ReportInputs
from salesplan.documents.market_plan import (
    cadence_section,
    competitor_table,
    personas_section,
    pricing_section,
    qualification_section,
    strategy_blocks,
    trend_notes,
)
from salesplan.documents.model import (
    Block,
    Bullets,
    Column,
    Facts,
    Figure,
    Label,
    Missing,
    Money,
    Number,
    Paragraph,
    Percent,
    Section,
    Table,
    Value,
    _t,
)
from salesplan.documents.summary import DATA_COMMAND, NO_DATA, finding_msg
from salesplan.i18n import N_

TREND_LABELS = {
    "win_rate": N_("Win rate (count)"),
    "win_rate_value": N_("Win rate (value)"),
    "deals_won": N_("Deals won"),
    "bookings": N_("Bookings"),
    "avg_deal": N_("Average deal"),
    "median_deal": N_("Median deal"),
    "cycle_median_days": N_("Median sales cycle (days)"),
    "pipeline_created": N_("Pipeline created"),
    "pipeline_created_count": N_("Deals created"),
    "leads": N_("Leads"),
    "lead_to_opportunity": N_("Lead to opportunity"),
    "churn": N_("Customer churn"),
    "activities": N_("Activities"),
    "outreach_to_meeting": N_("Outreach to meeting"),
}


def _no_data(key: str, title: str) -> Section:
    return Section(key, title, [Missing(NO_DATA, DATA_COMMAND)])


def market_section(x: ReportInputs) -> Section:
    title = N_("Target market")
    b = x.baseline
    if b is None:
        return _no_data("market", title)
    rows: list[list[Value]] = [
        [
            Label(s.segment or "", "segment"),
            Number(s.won + s.lost),
            Percent(s.win_rate.rate or 0),
            Money(s.avg_deal_minor) if s.avg_deal_minor is not None else None,
            Number(s.cycle_median_days, 0) if s.cycle_median_days is not None else None,
            Percent(s.revenue_share) if s.revenue_share is not None else None,
            Percent(s.icp_fit, 0) if s.icp_fit is not None else None,
        ]
        for s in b.segments
    ]
    blocks: list[Block] = [
        Paragraph(
            _t(
                "Segments ranked by the value they bring per day of selling effort (win rate × "
                "average deal × expected customer lifetime ÷ sales cycle), last 12 months."
            )
        ),
        Table(
            "segments",
            N_("Segments and ICP fit"),
            [
                Column(N_("Segment")),
                Column(N_("Closed deals"), True),
                Column(N_("Win rate"), True),
                Column(N_("Average deal"), True),
                Column(N_("Median cycle (days)"), True),
                Column(N_("Share of bookings"), True),
                Column(N_("ICP fit"), True),
            ],
            rows,
        ),
        Figure(
            "segments",
            N_("Segments: win rate and average deal"),
            [
                {
                    "segment": s.segment,
                    "win_rate": s.win_rate.rate or 0.0,
                    "avg_deal_minor": s.avg_deal_minor or 0,
                    "bookings_minor": s.bookings_minor,
                }
                for s in b.segments
            ],
        ),
    ]
    best = next((s for s in b.segments if s.icp_rank == 1), None)
    if best is not None and best.avg_deal_minor is not None:
        blocks.append(
            Paragraph(
                _t(
                    "ICP evidence: {segment} fits best. It wins {win_rate} of closed deals at "
                    "an average of {deal}, closes in {cycle} days (median) and brought {share} "
                    "of bookings.",
                    segment=Label(best.segment or "", "segment"),
                    win_rate=Percent(best.win_rate.rate or 0),
                    deal=Money(best.avg_deal_minor, compact=True),
                    cycle=Number(best.cycle_median_days or 0, 0),
                    share=Percent(best.revenue_share or 0),
                )
            )
        )
    return Section("market", title, blocks, [personas_section(x)])


def _trend_value(t: Trend, v: float | int | None) -> Value:
    if v is None:
        return None
    if t.unit == "money":
        return Money(round(v), compact=True)
    if t.unit == "rate":
        return Percent(v)
    return Number(v, 0 if t.unit == "count" else 1)


def positioning_section(x: ReportInputs) -> Section:
    title = N_("Positioning: competition, pricing and trends")
    b = x.baseline
    if b is None:
        return _no_data("positioning", title)
    lost = b.losses
    competition: list[Block] = [
        Table(
            "competitors",
            N_("Competitors in lost and won deals"),
            [
                Column(N_("Competitor")),
                Column(N_("Lost to them"), True),
                Column(N_("Won against them"), True),
                Column(N_("Win rate against them"), True),
                Column(N_("Lost value"), True),
                Column(N_("Share of named losses"), True),
            ],
            [
                [
                    k.competitor,
                    Number(k.lost),
                    Number(k.won),
                    Percent(k.win_rate.rate or 0),
                    Money(k.lost_minor),
                    Percent(k.share_of_losses),
                ]
                for k in lost.competitors
            ],
            _t(
                "A competitor is named on {share} of the deals closed in the period, won or "
                "lost; the table shows how each one fares.",
                share=Percent(lost.competitive_share.rate or 0),
            ),
        ),
        Figure(
            "losses",
            N_("Why we lose: share of lost deals by reason"),
            [
                {"reason": r.reason, "lost": r.lost, "share": r.share, "lost_minor": r.lost_minor}
                for r in lost.reasons
            ],
        ),
        Table(
            "loss_reasons",
            N_("Loss reasons"),
            [
                Column(N_("Reason")),
                Column(N_("Lost deals"), True),
                Column(N_("Share"), True),
                Column(N_("Lost value"), True),
            ],
            [
                [
                    Label(r.reason or "", "reason"),
                    Number(r.lost),
                    Percent(r.share),
                    Money(r.lost_minor),
                ]
                for r in lost.reasons
            ],
        ),
    ]
    trends = Table(
        "trends",
        N_("Year-over-year trends"),
        [
            Column(N_("Metric")),
            Column(N_("Last 12 months"), True),
            Column(N_("Year before"), True),
            Column(N_("Change"), True),
        ],
        [
            [
                _t(TREND_LABELS.get(t.metric, t.metric)),
                _trend_value(t, t.current),
                _trend_value(t, t.previous),
                Percent(t.relative_change) if t.relative_change is not None else None,
            ]
            for t in b.trends.yoy
        ],
    )
    notes = competitor_table(x)
    if notes is not None:
        competition.append(notes)
    return Section(
        "positioning",
        title,
        [],
        [
            Section("competition", N_("Competition"), competition),
            pricing_section(x),
            Section("trends", N_("Market trends"), [trends, *trend_notes(x)]),
        ],
    )


def strategy_section(x: ReportInputs) -> Section:
    blocks = strategy_blocks(x)
    if x.baseline is not None:
        strengths = [f for f in x.baseline.findings if f.kind == "strength"]
        if strengths:
            blocks.append(Paragraph(_t("Strengths in the data to build the strategy on:")))
            blocks.append(Bullets([finding_msg(f) for f in strengths]))
    return Section("strategy", N_("Market strategy"), blocks)


def leads_section(x: ReportInputs) -> Section:
    title = N_("Lead generation and follow-up")
    b = x.baseline
    if b is None:
        return _no_data("leads", title)
    sources = [f for f in b.leads if not f.overall]
    overall = b.leads[0]
    channels = Table(
        "lead_sources",
        N_("Channels: lead sources, last 12 months"),
        [
            Column(N_("Source")),
            Column(N_("Leads"), True),
            Column(N_("MQL"), True),
            Column(N_("SQL"), True),
            Column(N_("Opportunities"), True),
            Column(N_("Won"), True),
            Column(N_("Lead to won"), True),
            Column(N_("Bookings"), True),
        ],
        [
            [
                Label(f.source or "", "source") if f.source else _t("All sources"),
                Number(f.leads),
                Number(f.mql),
                Number(f.sql),
                Number(f.opportunities),
                Number(f.won),
                Percent(f.lead_to_won.rate or 0),
                Money(f.bookings_minor),
            ]
            for f in [*sources, overall]
        ],
    )
    a = b.activities
    follow_up = Facts(
        "follow_up",
        N_("Follow-up today"),
        [
            (
                N_("Activities per rep per week (median)"),
                Number(a.per_rep_week_median, 1) if a.per_rep_week_median is not None else None,
            ),
            (N_("Outreach that leads to a meeting"), Percent(a.outreach_to_meeting.rate or 0)),
            (
                N_("Meetings per 100 touches"),
                Number(a.meetings_per_100_touches, 1)
                if a.meetings_per_100_touches is not None
                else None,
            ),
            (N_("Leads disqualified"), Number(overall.disqualified)),
        ],
    )
    return Section(
        "leads", title, [channels, follow_up], [qualification_section(x), cadence_section(x)]
    )
