"""Plan templates: one base plan per language plus what each plan type changes (data, not code).

`domain/templates/base.<lang>.yaml` holds every section with comments for the person who
edits it; `types.<lang>.yaml` maps each plan type to the top-level keys it replaces. Dates are
`@TOKEN@` placeholders filled from the plan's period (`template_tokens`); services merge the
two documents and fill them from the workspace's data (services/plan_fill.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from salesplan.domain.plan_types import PLAN_TYPES

LANGUAGES = ("en", "zh")
SHORT_PLAN_DAYS = 90
"""A 30-60-90 plan runs 90 days from the day after as_of."""


@dataclass(frozen=True, slots=True)
class PlanPeriod:
    year: int
    start: dt.date
    end: dt.date
    anchor: dt.date
    """First day work can start: the later of the plan start and the day after as_of."""


def plan_period(plan_type: str, as_of: dt.date) -> PlanPeriod:
    """Annual-style plans cover a calendar year: next year from October on, else this year."""
    tomorrow = as_of + dt.timedelta(days=1)
    if plan_type == "30-60-90":
        end = tomorrow + dt.timedelta(days=SHORT_PLAN_DAYS - 1)
        return PlanPeriod(tomorrow.year, tomorrow, end, tomorrow)
    year = as_of.year + 1 if as_of.month >= 10 else as_of.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return PlanPeriod(year, start, end, max(start, tomorrow))


def template_tokens(plan_type: str, period: PlanPeriod, currency: str) -> dict[str, str]:
    """@TOKEN@ → text: D30/D60/D90 count from the anchor; MID halves the rest of the period."""
    a = period.anchor

    def day(n: int) -> str:
        return min(a + dt.timedelta(days=n - 1), period.end).isoformat()

    mid = a + (period.end - a) // 2
    return {
        "TYPE": plan_type,
        "YEAR": str(period.year),
        "CURRENCY": currency,
        "START": period.start.isoformat(),
        "END": period.end.isoformat(),
        "D30": day(30),
        "D60": day(60),
        "D90": day(90),
        "MID": mid.isoformat(),
    }


def fill_tokens(text: str, tokens: dict[str, str]) -> str:
    for key, value in tokens.items():
        text = text.replace(f"@{key}@", value)
    return text


def template_texts(plan_type: str, language: str) -> tuple[str, str]:
    """(base text, types text) for the language; raises ValueError for an unknown one."""
    if plan_type not in PLAN_TYPES or language not in LANGUAGES:
        raise ValueError(f"no template for {plan_type!r} in {language!r}")
    folder = resources.files("salesplan.domain").joinpath("templates")
    base = folder.joinpath(f"base.{language}.yaml").read_text("utf-8")
    types = folder.joinpath(f"types.{language}.yaml").read_text("utf-8")
    return base, types
