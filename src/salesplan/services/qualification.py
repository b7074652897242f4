"""`salesplan leads score` and `leads calibration`: the stored plan's qualification rules
applied to imported leads, beside a data-driven conversion score (naive Bayes or regularised
logistic, chosen on the newest leads held back; analytics/lead_scoring_choice.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from salesplan.analytics.lead_scoring import FEATURES, Factor, decided_leads
from salesplan.analytics.lead_scoring_choice import ScoreChoice, choose_model
from salesplan.analytics.lead_scoring_rules import (
    CriterionCheck,
    criteria_against_history,
    group_rates,
    lead_disagreement,
)
from salesplan.analytics.rates import Rate, rate
from salesplan.config import Settings
from salesplan.domain.plan_market import Qualification
from salesplan.errors import ConfigError, DataError
from salesplan.planning.qualification import Qualified, qualify
from salesplan.services.plan_store import stored_plan
from salesplan.services.store import open_store
from salesplan.storage import frames

MODEL_CHOICES = ("auto", "naive-bayes", "logistic")


@dataclass(frozen=True, slots=True)
class LeadScoresReport:
    as_of: dt.date | None
    criteria: int
    rules: int
    result: Qualified
    choice: ScoreChoice
    scores: dict[str, tuple[float, list[Factor]]] = field(default_factory=dict)
    """Lead id → (conversion probability, top factors (attribute, value, weight))."""
    checks: list[CriterionCheck] = field(default_factory=list)
    decided_qualified: Rate = field(default_factory=lambda: rate(0, 0))
    decided_unqualified: Rate = field(default_factory=lambda: rate(0, 0))
    disagreements: dict[str, str] = field(default_factory=dict)
    """Lead id → `rejected_but_likely` or `qualified_but_unlikely` (others absent)."""


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    as_of: dt.date | None
    choice: ScoreChoice


def check_model(text: str) -> str:
    """`auto`, `naive_bayes` or `logistic` from the --model option."""
    value = text.strip().lower().replace("_", "-")
    if value not in MODEL_CHOICES:
        raise ConfigError(
            "Unknown value {value} for {option}; use one of: {choices}.",
            value=text,
            option="--model",
            choices=", ".join(MODEL_CHOICES),
        )
    return value.replace("-", "_")


def _read_leads(settings: Settings) -> pl.DataFrame:
    engine = open_store(settings)
    try:
        leads = frames.read_leads(engine)
    finally:
        engine.dispose()
    if leads.height == 0:
        raise DataError("No leads to score: import a leads file first.")
    return leads


def _as_of(leads: pl.DataFrame) -> dt.date | None:
    latest = leads["created_on"].max()
    return latest if isinstance(latest, dt.date) else None


def score_leads_frame(
    leads: pl.DataFrame, qualification: Qualification, model: str
) -> LeadScoresReport:
    """Qualify and score `leads` (score_leads without the store, for tests)."""
    criteria, rules = qualification.criteria, qualification.priority_rules
    choice = choose_model(leads, check_model(model))
    scores: dict[str, tuple[float, list[Factor]]] = {}
    if choice.model is not None:
        present = [f for f in FEATURES if f in leads.columns]
        for row in leads.select("id", *present).iter_rows(named=True):
            scores[str(row["id"])] = choice.model.score(row)
    result = qualify(leads, criteria, rules)
    decided = decided_leads(leads)
    good, bad = group_rates(decided, criteria)
    flags = {}
    for s in result.leads:
        found = scores.get(s.lead_id)
        flag = lead_disagreement(s.qualified, found[0] if found else None, good, bad)
        if flag is not None:
            flags[s.lead_id] = flag
    return LeadScoresReport(
        as_of=_as_of(leads),
        criteria=len(criteria),
        rules=len(rules),
        result=result,
        choice=choice,
        scores=scores,
        checks=criteria_against_history(decided, criteria),
        decided_qualified=good,
        decided_unqualified=bad,
        disagreements=flags,
    )


def score_leads(settings: Settings, model: str = "auto") -> LeadScoresReport:
    """Qualify every imported lead by the latest plan's rules and score its conversion."""
    check_model(model)
    stored = stored_plan(settings)
    if stored is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    return score_leads_frame(_read_leads(settings), stored[1].qualification, model)


def lead_calibration(settings: Settings) -> CalibrationReport:
    """Both conversion models measured on the newest leads held back (no plan needed)."""
    leads = _read_leads(settings)
    return CalibrationReport(_as_of(leads), choose_model(leads, "auto"))
