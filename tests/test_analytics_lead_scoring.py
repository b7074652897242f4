"""The lead conversion scores: naive Bayes by hand, both models on planted leads, and the
rules checked against the history."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from salesplan.analytics.lead_scoring import LeadModel, fit_lead_model, score_lead
from salesplan.analytics.lead_scoring_choice import choose_model
from salesplan.analytics.lead_scoring_logistic import fit_logistic_model
from salesplan.domain.plan_market import Qualification
from salesplan.services.qualification import score_leads_frame

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


# A planted generator: the true model is known. True log-odds = −1 + source + segment effect;
# `region` copies the segment 80 % of the time (naive Bayes counts the segment twice, so it
# is over-confident) and `industry` is noise. Leads are spread over 700 days in id order.
SOURCE = {"referral": 1.5, "web": 0.0, "event": -0.3, "cold": -1.2}
SEGMENT = {"enterprise": 0.6, "mid": 0.0, "smb": -0.6}


def planted_leads(n: int = 8000, seed: int = 11) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    source = rng.choice(list(SOURCE), n, p=[0.15, 0.4, 0.2, 0.25])
    segment = rng.choice(list(SEGMENT), n, p=[0.2, 0.4, 0.4])
    other = rng.choice(["r_enterprise", "r_mid", "r_smb"], n)
    region = np.where(rng.random(n) < 0.8, np.char.add("r_", segment.astype(str)), other)
    logit = -1.0 + np.array([SOURCE[s] for s in source]) + np.array([SEGMENT[s] for s in segment])
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    days = np.sort(rng.integers(0, 700, n))
    return pl.DataFrame(
        {
            "id": [f"L{i:05d}" for i in range(n)],
            "created_on": [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in days],
            "status": np.where(converted, "converted", "disqualified").tolist(),
            "source": source.tolist(),
            "segment": segment.tolist(),
            "region": region.tolist(),
            "industry": rng.choice(["a", "b", "c", "d"], n).tolist(),
        }
    )


@pytest.fixture(scope="module")
def planted() -> pl.DataFrame:
    return planted_leads()


def test_the_chosen_model_is_calibrated_on_held_back_leads(planted: pl.DataFrame) -> None:
    choice = choose_model(planted)
    assert (choice.train_n, choice.test_n) == (6000, 2000)
    checks = {c.method: c.held_out for c in choice.checks}
    chosen = checks[choice.method]
    assert chosen is not None and chosen.n == 2000
    assert chosen.ece <= 0.05
    # auto keeps the lower held-out log loss.
    bayes, logistic = checks["naive_bayes"], checks["logistic"]
    assert bayes is not None and logistic is not None
    best = "logistic" if logistic.log_loss < bayes.log_loss else "naive_bayes"
    assert (choice.method, choice.selected_by) == (best, "lower_log_loss")
    # The test slice is the newest quarter: it starts after every training lead.
    ordered = planted.sort("created_on")
    assert choice.test_from == ordered["created_on"][6000]


@pytest.mark.parametrize("method", ["naive_bayes", "logistic"])
def test_both_models_rank_the_planted_source_first(planted: pl.DataFrame, method: str) -> None:
    choice = choose_model(planted, method)
    assert choice.selected_by == "option" and choice.model is not None
    first = choice.model.drivers()[0]
    assert (first.attribute, first.value) == ("source", "referral")
    # For a referral lead of an average segment, the source is its strongest factor.
    p, factors = choice.model.score({"source": "referral", "segment": "mid", "region": "r_mid"})
    assert factors[0][:2] == ("source", "referral")
    # True rate of referral × mid: σ(−1 + 1.5) = 0.62; the score lands near it.
    assert p == pytest.approx(1 / (1 + math.exp(-0.5)), abs=0.06)


def test_naive_bayes_is_over_confident_and_platt_shrinks_it(planted: pl.DataFrame) -> None:
    choice = choose_model(planted, "naive_bayes")
    model = choice.model
    assert isinstance(model, LeadModel) and model.platt is not None
    # Region repeats the segment, so raw naive Bayes log-odds are too extreme: slope < 1.
    assert model.platt.slope < 0.95
    raw = fit_lead_model(planted)
    assert raw is not None
    held = choice.checks[0].held_out
    assert held is not None and held.ece <= 0.05


def test_logistic_recovers_a_standardised_numeric_driver() -> None:
    # logit = 0.8·z with z ~ N(0, 1) and x = 10 + 3z: the fit on standardised x finds β ≈ 0.8.
    rng = np.random.default_rng(5)
    z = rng.standard_normal(6000)
    y = rng.random(6000) < 1 / (1 + np.exp(-0.8 * z))
    leads = pl.DataFrame(
        {
            "status": np.where(y, "converted", "disqualified").tolist(),
            "visits": (10 + 3 * z).tolist(),
        }
    )
    model = fit_logistic_model(leads, ["visits"])
    assert model is not None
    assert model.coefficients[0] == pytest.approx(0.8, abs=0.08)
    assert model.intercept == pytest.approx(0.0, abs=0.08)
    # One sd above the mean (x = 13): σ(0.8) ≈ 0.69, factor "visits" with weight ≈ 0.8.
    p, factors = model.score({"visits": 13.0})
    assert p == pytest.approx(1 / (1 + math.exp(-0.8)), abs=0.03)
    assert factors[0][0] == "visits" and factors[0][2] == pytest.approx(0.8, abs=0.1)


def test_too_few_decided_leads_fall_back_to_naive_bayes() -> None:
    choice = choose_model(LEADS)
    assert (choice.method, choice.selected_by) == ("naive_bayes", "no_holdout")
    assert all(c.held_out is None for c in choice.checks)


def test_rules_contradicted_by_history_are_found(planted: pl.DataFrame) -> None:
    # The plan turns referrals away, yet referrals convert best (planted): the source
    # criterion contradicts the history; the status criterion is the outcome and is left out.
    leads = pl.concat(
        [
            planted.head(3000),
            pl.DataFrame(
                {
                    "id": ["OPEN-1", "OPEN-2"],
                    "status": ["new", "new"],
                    "source": ["referral", "cold"],
                    "segment": ["enterprise", "smb"],
                    "region": ["r_enterprise", "r_smb"],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    plan = Qualification.model_validate(
        {
            "criteria": [
                {"field": "lead.source", "operator": "ne", "value": "referral"},
                {"field": "lead.status", "operator": "ne", "value": "disqualified"},
            ]
        }
    )
    report = score_leads_frame(leads, plan, "logistic")
    assert [c.criterion for c in report.checks] == ["lead.source ne referral"]
    check = report.checks[0]
    assert check.verdict == "contradicts"
    assert check.failing.low is not None and check.meeting.high is not None
    assert check.failing.low > check.meeting.high
    # The open referral enterprise lead (true rate σ(−1 + 1.5 + 0.6) = 0.75) is rejected by
    # the rules but scores above both groups' upper bounds; the open cold smb lead (true rate
    # σ(−2.8) = 0.06) passes the rules but scores below both groups' lower bounds.
    assert report.disagreements["OPEN-1"] == "rejected_but_likely"
    assert report.disagreements["OPEN-2"] == "qualified_but_unlikely"
    good, bad = report.decided_qualified, report.decided_unqualified
    assert good.rate is not None and bad.rate is not None and bad.rate > good.rate
    assert bad.high is not None and report.scores["OPEN-1"][0] >= bad.high
