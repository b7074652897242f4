"""`salesplan leads score`: the stored plan's qualification rules applied to imported leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salesplan.analytics.lead_scoring import FEATURES, LeadModel, fit_lead_model, score_lead
from salesplan.config import Settings
from salesplan.errors import ConfigError, DataError
from salesplan.planning.qualification import Qualified, qualify
from salesplan.services.plan_store import stored_plan
from salesplan.services.store import open_store
from salesplan.storage import frames


@dataclass(frozen=True, slots=True)
class LeadScoresReport:
    as_of: dt.date | None
    criteria: int
    rules: int
    result: Qualified
    model: LeadModel | None = None
    """The data-driven conversion model (None without converted and disqualified leads)."""
    scores: dict[str, tuple[float, list[tuple[str, str, float]]]] = field(default_factory=dict)
    """Lead id → (conversion probability, top factors (attribute, value, weight))."""


def score_leads(settings: Settings) -> LeadScoresReport:
    """Qualify every imported lead by the latest plan's criteria and priority rules."""
    stored = stored_plan(settings)
    if stored is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    plan = stored[1]
    engine = open_store(settings)
    try:
        leads = frames.read_leads(engine)
    finally:
        engine.dispose()
    if leads.height == 0:
        raise DataError("No leads to score: import a leads file first.")
    latest = leads["created_on"].max()
    as_of = latest if isinstance(latest, dt.date) else None
    criteria, rules = plan.qualification.criteria, plan.qualification.priority_rules
    model = fit_lead_model(leads)
    scores = {}
    if model is not None:
        present = [f for f in FEATURES if f in leads.columns]
        for row in leads.select("id", *present).iter_rows(named=True):
            scores[str(row["id"])] = score_lead(model, row)
    return LeadScoresReport(
        as_of, len(criteria), len(rules), qualify(leads, criteria, rules), model, scores
    )
