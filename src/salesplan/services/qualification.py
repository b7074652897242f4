"""`salesplan leads score`: the stored plan's qualification rules applied to imported leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    return LeadScoresReport(as_of, len(criteria), len(rules), qualify(leads, criteria, rules))
