"""`salesplan promotions`: each promotion against comparable deals, and guardrail breaches.

The maximum discounts come from the stored plan's pricing section: a promotion's guardrail
`max_discount` applies to deals whose `promotion` code equals the plan promotion's `id` or
the CRM code of its kind (free_trial → trial, time_limited_discount → discount,
subscription → subscription). Without a stored plan no breach is checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.analytics.promotions import Promotions, promotion_comparison
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


def plan_max_discounts(plan: Plan | None) -> dict[str, float]:
    """Promotion code → the plan's maximum discount (fraction 0-1); see module doc."""
    limits: dict[str, float] = {}
    if plan is None:
        return limits
    for promo in plan.pricing.promotions:
        cap = promo.guardrail.max_discount
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
    return PromotionsReport(chosen, data.as_of, settings.currency, plan is not None, result)
