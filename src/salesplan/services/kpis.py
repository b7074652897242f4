"""`salesplan kpis`: the KPI library, computed where the workspace's data supports it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.analytics.kpis import AUDIENCES, KpiValue, evaluate, kpi_metrics, load_library
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.errors import ConfigError
from salesplan.services.baseline import load_frames, resolve_period


@dataclass(frozen=True, slots=True)
class KpiReport:
    period: Period
    as_of: dt.date
    currency: str
    audience: str | None
    values: list[KpiValue]


def parse_audience(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value not in AUDIENCES:
        raise ConfigError(
            "Unknown audience {value}; use one of: {choices}.",
            value=text,
            choices=", ".join(AUDIENCES),
        )
    return value


def compute_kpis(
    settings: Settings, *, period: str | None = None, audience: str | None = None
) -> KpiReport:
    """Every KPI of the audience (all when None) for the period (default last-12m)."""
    chosen_audience = parse_audience(audience)
    data = load_frames(settings)
    chosen = resolve_period(period, data.as_of)
    metrics = kpi_metrics(
        opportunities=data.opportunities,
        leads=data.leads,
        accounts=data.accounts,
        activities=data.activities,
        team=data.team,
        start=chosen.start,
        end=chosen.end,
    )
    values = evaluate(load_library(), metrics, chosen_audience)
    return KpiReport(chosen, data.as_of, settings.currency, chosen_audience, values)
