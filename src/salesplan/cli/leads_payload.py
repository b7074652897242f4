"""JSON objects of `leads score` (`lead_scores`) and `leads calibration` (`lead_calibration`);
docs/customers.md shows both."""

from __future__ import annotations

from typing import Any

from salesplan.analytics.lead_calibration import HOLDOUT_SHARE, Calibration
from salesplan.analytics.lead_scoring import LeadModel
from salesplan.analytics.lead_scoring_choice import CALIBRATION_SHARE, ScoreChoice
from salesplan.cli.baseline_sections import rate_json
from salesplan.services.qualification import CalibrationReport, LeadScoresReport

DRIVERS_SHOWN = 10


def held_out_json(c: Calibration | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "n": c.n,
        "converted": c.converted,
        "ece": c.ece,
        "brier": c.brier,
        "log_loss": c.log_loss,
    }


def bins_json(c: Calibration | None) -> list[dict[str, Any]]:
    if c is None:
        return []
    return [
        {
            "low": b.low,
            "high": b.high,
            "n": b.n,
            "mean_predicted": b.mean_predicted,
            "observed": b.observed,
        }
        for b in c.bins
    ]


def model_json(choice: ScoreChoice) -> dict[str, Any] | None:
    model = choice.model
    if model is None:
        return None
    platt = model.platt if isinstance(model, LeadModel) else None
    return {
        "method": choice.method,
        "selected_by": choice.selected_by,
        "prior": model.prior,
        "converted": model.n_converted,
        "disqualified": model.n_lost,
        "calibration": (
            None
            if platt is None
            else {"method": "platt", "slope": platt.slope, "intercept": platt.intercept}
        ),
        "held_out": {c.method: held_out_json(c.held_out) for c in choice.checks},
        "drivers": [
            {"attribute": d.attribute, "value": d.value, "weight": d.weight, "n": d.n}
            for d in model.drivers()[:DRIVERS_SHOWN]
        ],
    }


def lead_scores_payload(report: LeadScoresReport) -> dict[str, Any]:
    """The `lead_scores` JSON object (docs/market.md, docs/customers.md)."""
    r = report.result
    return {
        "criteria": report.criteria,
        "priority_rules": report.rules,
        "skipped": r.skipped,
        "qualified": sum(s.qualified for s in r.leads),
        "unqualified": sum(not s.qualified for s in r.leads),
        "qualified_conversion": rate_json(r.qualified_conversion),
        "unqualified_conversion": rate_json(r.unqualified_conversion),
        "failures": [{"criterion": f.criterion, "leads": f.failed_first} for f in r.failures],
        "model": model_json(report.choice),
        "rules_vs_data": {
            "qualified_conversion": rate_json(report.decided_qualified),
            "unqualified_conversion": rate_json(report.decided_unqualified),
            "criteria": [
                {
                    "criterion": c.criterion,
                    "meeting": rate_json(c.meeting),
                    "failing": rate_json(c.failing),
                    "verdict": c.verdict,
                }
                for c in report.checks
            ],
            "rejected_but_likely": sum(
                v == "rejected_but_likely" for v in report.disagreements.values()
            ),
            "qualified_but_unlikely": sum(
                v == "qualified_but_unlikely" for v in report.disagreements.values()
            ),
        },
        "leads": [
            {
                "id": s.lead_id,
                "qualified": s.qualified,
                "failed": s.failed,
                "priority": s.priority,
                "band": s.band,
                "rule": s.rule,
                "route_to": s.route_to,
                "converted": s.converted,
                "conversion_score": score_of(report, s.lead_id),
                "top_factors": [
                    {"attribute": a, "value": v, "weight": w}
                    for a, v, w in report.scores.get(s.lead_id, (0.0, []))[1]
                ],
                "disagreement": report.disagreements.get(s.lead_id),
            }
            for s in r.leads
        ],
    }


def score_of(report: LeadScoresReport, lead_id: str) -> float | None:
    found = report.scores.get(lead_id)
    return None if found is None else found[0]


def lead_calibration_payload(report: CalibrationReport) -> dict[str, Any]:
    """The `lead_calibration` JSON object (docs/customers.md)."""
    choice = report.choice
    return {
        "holdout": {
            "share": HOLDOUT_SHARE,
            "calibration_share": CALIBRATION_SHARE,
            "train": choice.train_n,
            "test": choice.test_n,
            "test_from": choice.test_from.isoformat() if choice.test_from else None,
        },
        "chosen": choice.method,
        "selected_by": choice.selected_by,
        "models": [
            {
                "method": c.method,
                "calibrated_by": c.calibrated_by,
                **(held_out_json(c.held_out) or {"n": 0}),
                "bins": bins_json(c.held_out),
            }
            for c in choice.checks
        ],
    }
