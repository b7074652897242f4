"""`salesplan competitors`: win rate against each competitor, beside the plan's notes.

Numbers come from analytics/competition.py (deals closed in the period that name a
competitor: win rate, value, loss reasons, deal profile, half-yearly trend).
The stored plan's `market.competitors` entries are matched by name, case- and
space-insensitively; a plan competitor absent from the data is listed with zero deals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.analytics.competition import CompetitorStats as CompetitorNumbers
from salesplan.analytics.competition import DealProfile, competition
from salesplan.analytics.rates import Rate
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.domain.plan_market import Competitor as CompetitorNotes
from salesplan.services.baseline import load_frames, resolve_period
from salesplan.services.plan_store import stored_plan


@dataclass(frozen=True, slots=True)
class CompetitorRow:
    competitor: str
    numbers: CompetitorNumbers | None
    notes: CompetitorNotes | None


@dataclass(frozen=True, slots=True)
class CompetitorsReport:
    period: Period
    as_of: dt.date
    currency: str
    has_plan: bool
    competitive_share: Rate
    """Closed deals naming a competitor ÷ closed deals."""
    absent: DealProfile
    """Closed deals naming no competitor, to compare each competitor's deal profile with."""
    rows: list[CompetitorRow]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def merge_notes(
    numbers: list[CompetitorNumbers], notes: list[CompetitorNotes]
) -> list[CompetitorRow]:
    """Data rows in the order of losses (most first), then plan-only competitors by name."""
    by_key = {_key(n.name): n for n in notes}
    rows = [CompetitorRow(c.competitor, c, by_key.pop(_key(c.competitor), None)) for c in numbers]
    rows += [CompetitorRow(n.name, None, n) for n in sorted(by_key.values(), key=lambda n: n.name)]
    return rows


def compute_competitors(settings: Settings, *, period: str | None = None) -> CompetitorsReport:
    data = load_frames(settings)
    chosen = resolve_period(period, data.as_of)
    numbers = competition(data.opportunities, chosen.start, chosen.end)
    stored = stored_plan(settings)
    notes = list(stored[1].market.competitors) if stored is not None else []
    return CompetitorsReport(
        period=chosen,
        as_of=data.as_of,
        currency=settings.currency,
        has_plan=stored is not None,
        competitive_share=numbers.competitive_share,
        absent=numbers.absent,
        rows=merge_notes(numbers.competitors, notes),
    )


__all__ = ["CompetitorRow", "CompetitorsReport", "compute_competitors", "merge_notes"]
