"""Naive-Bayes lead conversion score, checked against a hand computation."""

from __future__ import annotations

import math

import polars as pl
import pytest

from salesplan.analytics.lead_scoring import fit_lead_model, score_lead

LEADS = pl.DataFrame(
    {
        "status": ["converted"] * 3 + ["disqualified"] * 4 + ["new", "mql"],
        "source": ["web", "web", "event", "web", "event", "event", "event", "web", "event"],
        "segment": [None] * 9,
    }
)


def test_scores_by_hand() -> None:
    model = fit_lead_model(LEADS)
    assert model is not None
    # Decided leads only: 3 converted, 4 disqualified; the open ones do not train.
    assert (model.n_converted, model.n_lost) == (3, 4)
    assert model.prior == pytest.approx(3 / 7)
    # source has k = 2 values. P(web|conv) = (2+1)/(3+2) = 3/5, P(web|not) = (1+1)/(4+2) = 1/3.
    assert model.weights[("source", "web")] == pytest.approx(math.log((3 / 5) / (1 / 3)))
    # Prior odds 3/4 × likelihood ratio 1.8 = 1.35 → p = 1.35 / 2.35.
    p, factors = score_lead(model, {"source": "web", "segment": None})
    assert p == pytest.approx(1.35 / 2.35)
    assert factors == [("source", "web", pytest.approx(math.log(1.8)))]
    # event: (1+1)/5 = 2/5 vs (3+1)/6 = 2/3 → ratio 0.6; odds 0.45 → p = 0.45 / 1.45.
    assert score_lead(model, {"source": "event"})[0] == pytest.approx(0.45 / 1.45)
    # A value never seen says nothing: the score is the prior.
    assert score_lead(model, {"source": "partner"})[0] == pytest.approx(3 / 7)


def test_no_model_without_both_outcomes() -> None:
    assert fit_lead_model(LEADS.filter(pl.col("status") != "disqualified")) is None


def test_the_score_recovers_a_planted_source_effect() -> None:
    # Referral leads convert 60%, cold leads 10%: the fitted score must rank them that way
    # and land near the planted rates (naive Bayes is exact with a single attribute).
    rows = (
        [("converted", "referral")] * 60
        + [("disqualified", "referral")] * 40
        + [("converted", "cold")] * 10
        + [("disqualified", "cold")] * 90
    )
    leads = pl.DataFrame(rows, schema=["status", "source"], orient="row")
    model = fit_lead_model(leads)
    assert model is not None
    referral = score_lead(model, {"source": "referral"})[0]
    cold = score_lead(model, {"source": "cold"})[0]
    # With α = 1: P(ref|c) = 61/72, P(ref|¬c) = 41/132; prior odds 70/130.
    odds = (70 / 130) * (61 / 72) / (41 / 132)
    assert referral == pytest.approx(odds / (1 + odds))
    assert referral == pytest.approx(0.60, abs=0.01)
    assert cold == pytest.approx(0.10, abs=0.01)
