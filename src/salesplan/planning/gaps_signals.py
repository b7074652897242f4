"""Behaviour gaps: follow-up discipline, lead qualification, retention, and qualitative notes.

Money in plan-currency minor units; w is the team's win rate by value.

- follow_up: open deals with a follow-up flag (forecast.hygiene: no next step, no recent
  activity, past close date, stale in stage, close date pushed twice). For the team, and for
  each owner whose flagged share of open value exceeds the team's by OWNER_MARGIN:
  at stake = flagged open value × w (the expected value riding on neglected deals: an upper
  bound, since neglected deals are at risk rather than lost). Per owner only when asked for
  (`--by owner`).
- lead_qualification: a source with at least the average number of leads per source whose
  lead → won rate r is below that of all other sources together (b):
  at stake = leads × (b − r) × average won deal.
- retention: churn of the window (overall and per segment) above the same window a year
  earlier: at stake = customers at start × (churn − churn last year) × bookings per customer
  (their bookings in the year before the window ÷ customers at start).
- qualitative: notes a person recorded in the plan (stale collateral, inconsistent messaging,
  weak demos, misalignment with marketing); at stake is their own estimate, else 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from salesplan.analytics.leads import LeadFunnel
from salesplan.analytics.rates import rate
from salesplan.analytics.retention import Retention
from salesplan.planning.gaps_model import Gap, GapType, money, scope_of

FOLLOW_UP_FLAGS = (
    "no_next_step",
    "no_recent_activity",
    "past_close_date",
    "stale_in_stage",
    "close_date_pushed",
)
OWNER_MARGIN = 0.10
MIN_CUSTOMERS = 10


def follow_up_gaps(
    hygiene_deals: pl.DataFrame,
    win_rate_value: float,
    *,
    period: str,
    as_of: str,
    per_owner: bool = False,
) -> list[Gap]:
    """Neglected open deals for the team (and, with per_owner, the owners well above it)."""
    if hygiene_deals.height == 0:
        return []
    flagged = pl.any_horizontal(*(pl.col(f) for f in FOLLOW_UP_FLAGS))
    deals = hygiene_deals.with_columns(
        flagged.alias("_flagged"), pl.col("amount_plan_minor").fill_null(0).alias("_value")
    )
    owners = (
        deals.group_by("owner_id")
        .agg(
            pl.len().alias("open"),
            pl.col("_flagged").sum().alias("flagged"),
            pl.col("_value").sum().alias("value"),
            pl.col("_value").filter(pl.col("_flagged")).sum().alias("flagged_value"),
        )
        .sort("owner_id", nulls_last=True)
    )
    total = int(deals["_value"].sum())
    total_flagged = int(deals.filter(pl.col("_flagged"))["_value"].sum())
    if total <= 0 or total_flagged <= 0:
        return []
    team_share = total_flagged / total
    gaps = [
        _follow_up(
            {},
            total_flagged,
            total,
            int(deals["_flagged"].sum()),
            deals.height,
            team_share,
            win_rate_value,
            period,
            as_of,
        )
    ]
    for row in owners.iter_rows(named=True) if per_owner else ():
        value, bad = int(row["value"] or 0), int(row["flagged_value"] or 0)
        if row["owner_id"] is None or value <= 0 or bad / value < team_share + OWNER_MARGIN:
            continue
        gaps.append(
            _follow_up(
                scope_of(owner_id=row["owner_id"]),
                bad,
                value,
                int(row["flagged"]),
                int(row["open"]),
                team_share,
                win_rate_value,
                period,
                as_of,
            )
        )
    return gaps


def _follow_up(
    scope: dict[str, str],
    flagged_minor: int,
    open_minor: int,
    flagged: int,
    open_deals: int,
    team_share: float,
    w: float,
    period: str,
    as_of: str,
) -> Gap:
    share = rate(flagged, open_deals)
    return Gap(
        type=GapType.FOLLOW_UP,
        period=period,
        scope=scope,
        metric="flagged_value_share",
        unit="rate",
        actual=flagged_minor / open_minor,
        benchmark=None if not scope else team_share,
        benchmark_source="clean_pipeline" if not scope else "team",
        at_stake_minor=money(flagged_minor * w),
        formula="follow_up",
        terms={
            "flagged_minor": flagged_minor,
            "open_minor": open_minor,
            "flagged_deals": flagged,
            "open_deals": open_deals,
            "win_rate_value": w,
        },
        n=open_deals,
        interval=None if share.low is None or share.high is None else (share.low, share.high),
        window=as_of,
    )


def lead_gaps(
    funnels: Sequence[LeadFunnel], avg_deal_minor: int, *, period: str, window_label: str
) -> list[Gap]:
    """High-volume sources converting leads to won deals worse than the other sources."""
    sources = [f for f in funnels if not f.overall and f.source is not None and f.leads > 0]
    if len(sources) < 2 or avg_deal_minor <= 0:
        return []
    mean_leads = sum(f.leads for f in sources) / len(sources)
    total_leads = sum(f.leads for f in sources)
    total_won = sum(f.won for f in sources)
    gaps = []
    for f in sources:
        if f.leads < mean_leads:
            continue
        other_leads, other_won = total_leads - f.leads, total_won - f.won
        if other_leads <= 0:
            continue
        benchmark = other_won / other_leads
        actual = f.won / f.leads
        if actual >= benchmark:
            continue
        extra = f.leads * (benchmark - actual)
        r = f.lead_to_won
        gaps.append(
            Gap(
                type=GapType.LEAD_QUALIFICATION,
                period=period,
                scope=scope_of(source=f.source),
                metric="lead_to_won",
                unit="rate",
                actual=actual,
                benchmark=benchmark,
                benchmark_source="other_sources",
                at_stake_minor=money(extra * avg_deal_minor),
                formula="lead_impact",
                terms={
                    "leads": f.leads,
                    "actual": actual,
                    "benchmark": benchmark,
                    "extra_deals": extra,
                    "avg_deal_minor": avg_deal_minor,
                    "disqualified": f.disqualified,
                },
                n=f.leads,
                benchmark_n=other_leads,
                interval=None if r.low is None or r.high is None else (r.low, r.high),
                window=window_label,
            )
        )
    return gaps


def retention_gaps(
    now: Sequence[Retention], last_year: Sequence[Retention], *, period: str, window_label: str
) -> list[Gap]:
    """Churn above the same window a year earlier, overall and per segment."""
    before = {(r.overall, r.segment): r for r in last_year}
    gaps = []
    for r in now:
        prev = before.get((r.overall, r.segment))
        churn, old = r.churn.rate, None if prev is None else prev.churn.rate
        if churn is None or old is None or prev is None or churn <= old:
            continue
        if prev.customers_at_start < MIN_CUSTOMERS or r.customers_at_start < MIN_CUSTOMERS:
            continue
        per_customer = r.cohort_previous_bookings_minor / r.customers_at_start
        lost = r.customers_at_start * (churn - old)
        gaps.append(
            Gap(
                type=GapType.RETENTION,
                period=period,
                scope={} if r.overall else scope_of(segment=r.segment or "-"),
                metric="churn",
                unit="rate",
                actual=churn,
                benchmark=old,
                benchmark_source="last_year",
                at_stake_minor=money(lost * per_customer),
                formula="retention",
                terms={
                    "customers_at_start": r.customers_at_start,
                    "churn": churn,
                    "churn_last_year": old,
                    "extra_churned": lost,
                    "bookings_per_customer_minor": per_customer,
                },
                n=r.customers_at_start,
                benchmark_n=prev.customers_at_start,
                interval=(
                    None
                    if r.churn.low is None or r.churn.high is None
                    else (r.churn.low, r.churn.high)
                ),
                window=window_label,
            )
        )
    return gaps


@dataclass(frozen=True, slots=True)
class QualitativeNote:
    """A gap a person wrote into the plan; `kind` is a qualitative GapType value."""

    kind: str
    text: str
    scope: dict[str, str] = field(default_factory=dict)
    estimate_minor: int | None = None


def qualitative_gaps(notes: Sequence[QualitativeNote], *, period: str) -> list[Gap]:
    """One gap per note; its scope gains `note` (a digest of the text) so ids stay distinct."""
    result = []
    for note in notes:
        try:
            kind = GapType(note.kind)
        except ValueError:
            kind = GapType.OTHER
        result.append(
            Gap(
                type=kind,
                period=period,
                scope={**note.scope, "note": hashlib.sha1(note.text.encode()).hexdigest()[:8]},
                metric="recorded",
                unit="text",
                actual=None,
                benchmark=None,
                benchmark_source="plan",
                at_stake_minor=max(0, note.estimate_minor or 0),
                formula="estimate" if note.estimate_minor else "none",
                terms={"estimate_minor": note.estimate_minor},
                note=note.text,
            )
        )
    return result
