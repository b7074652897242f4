"""`salesplan promotions`: each promotion against comparable deals, and guardrail breaches.

The maximum discounts come from the stored plan's pricing section: a promotion's guardrail
`max_discount` applies to deals whose `promotion` code equals the plan promotion's `id` or
the CRM code of its kind (free_trial → trial, time_limited_discount → discount,
subscription → subscription). Without a stored plan no breach is checked.

Margin needs the cost of each deal (the optional canonical `cost_minor`, imported from a
`cost` column and converted to the plan currency as amounts are). When no deal has one,
`margins` is None and the faces say "needs input", listing the plan's `min_margin`
guardrails that cannot be checked yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.analytics.promotions import (
    Margin,
    Promotions,
    promotion_comparison,
    promotion_margins,
)
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.domain.plan import Plan
from salesplan.services.baseline import load_frames, resolve_period
from salesplan.services.plan_store import stored_plan

KIND_CODES = {
    "free_trial": "trial",
    "time_limited_discount": "discount",
    "subscription": "subscription",
}


@dataclass(frozen=True, slots=True)
class PromotionsReport:
    period: Period
    as_of: dt.date
    currency: str
    has_plan: bool
    promotions: Promotions
    margins: dict[str, Margin] | None
    """Per promotion code ("" = no promotion); None when no deal has a cost (needs input)."""
    min_margins: dict[str, float]
    """Promotion code → the plan's minimum margin (fraction 0-1)."""


def plan_max_discounts(plan: Plan | None) -> dict[str, float]:
    """Promotion code → the plan's maximum discount (fraction 0-1); see module doc."""
    return _guardrail(plan, "max_discount")


def plan_min_margins(plan: Plan | None) -> dict[str, float]:
    """Promotion code → the plan's minimum margin (fraction 0-1); see module doc."""
    return _guardrail(plan, "min_margin")


def _guardrail(plan: Plan | None, field: str) -> dict[str, float]:
    limits: dict[str, float] = {}
    if plan is None:
        return limits
    for promo in plan.pricing.promotions:
        cap = getattr(promo.guardrail, field)
        if cap is None:
            continue
        for code in (promo.id, KIND_CODES.get(promo.kind)):
            if code is not None:
                limits.setdefault(code, float(cap))
    return limits


def compute_promotions(settings: Settings, *, period: str | None = None) -> PromotionsReport:
    data = load_frames(settings)
    chosen = resolve_period(period, data.as_of)
    stored = stored_plan(settings)
    plan = stored[1] if stored is not None else None
    result = promotion_comparison(
        data.opportunities, chosen.start, chosen.end, plan_max_discounts(plan)
    )
    return PromotionsReport(
        chosen,
        data.as_of,
        settings.currency,
        plan is not None,
        result,
        promotion_margins(data.opportunities, chosen.start, chosen.end),
        plan_min_margins(plan),
    )
