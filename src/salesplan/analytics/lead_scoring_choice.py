"""Which conversion model to trust: both are judged on the newest leads they never saw.

Procedure (lead_calibration.py has the measures):

1. Decided leads (converted or disqualified) sorted by created date; the newest 25 % are the
   test slice, the older 75 % the training slice.
2. Naive Bayes is fitted on the oldest 80 % of the training slice and Platt-scaled on its
   newest 20 % (the calibration slice); logistic is fitted on the whole training slice (it is
   fitted by likelihood, so it needs no separate calibration).
3. Both score the test slice: reliability table, ECE, Brier, log loss.
4. `auto` picks the lower held-out log loss (ties: lower Brier, then naive Bayes).
5. The chosen model is refitted by the same recipe on every decided lead and scores all.

Without a usable hold-out (fewer than MIN_DECIDED decided leads, or a slice lacking either
outcome) nothing is measured and `auto` falls back to naive Bayes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import polars as pl

from salesplan.analytics.lead_calibration import Calibration, fit_platt, reliability, time_split
from salesplan.analytics.lead_scoring import (
    FEATURES,
    OUTCOME,
    LeadModel,
    decided_leads,
    fit_lead_model,
)
from salesplan.analytics.lead_scoring_logistic import LogisticModel, fit_logistic_model

Method = Literal["naive_bayes", "logistic"]
METHODS: tuple[Method, ...] = ("naive_bayes", "logistic")
CALIBRATION_SHARE = 0.2
MIN_DECIDED = 40
Scorer = LeadModel | LogisticModel


@dataclass(frozen=True, slots=True)
class ModelCheck:
    method: Method
    calibrated_by: str | None
    """`platt` for naive Bayes when a calibration slice had both outcomes, else None."""
    held_out: Calibration | None


@dataclass(frozen=True, slots=True)
class ScoreChoice:
    method: Method
    selected_by: str
    """`option`, `lower_log_loss`, `lower_brier`, `tie` or `no_holdout`."""
    model: Scorer | None
    checks: list[ModelCheck]
    train_n: int
    test_n: int
    test_from: dt.date | None
    """Created date of the oldest test lead (None without a hold-out)."""


def _outcomes(frame: pl.DataFrame) -> list[int]:
    return [int(v) for v in frame[OUTCOME].to_list()]


def _both_outcomes(frame: pl.DataFrame) -> bool:
    total = int(frame[OUTCOME].sum()) if frame.height else 0
    return 0 < total < frame.height


def fit_calibrated_bayes(decided: pl.DataFrame, features: Sequence[str]) -> LeadModel | None:
    """Naive Bayes on the older 80 %, Platt-scaled on the newest 20 % (when it can be)."""
    fitting, calibrating = time_split(decided, CALIBRATION_SHARE)
    model = fit_lead_model(fitting, features)
    if model is None or not _both_outcomes(calibrating):
        return fit_lead_model(decided, features)
    predicted = [model.score(row)[0] for row in calibrating.iter_rows(named=True)]
    return replace(model, platt=fit_platt(predicted, _outcomes(calibrating)))


def fit_method(decided: pl.DataFrame, method: Method, features: Sequence[str]) -> Scorer | None:
    if method == "naive_bayes":
        return fit_calibrated_bayes(decided, features)
    return fit_logistic_model(decided, features)


def held_out_checks(
    decided: pl.DataFrame, features: Sequence[str] = FEATURES
) -> tuple[list[ModelCheck], int, int, dt.date | None]:
    """Each method fitted on the older leads and measured on the newest (see module doc)."""
    if decided.height < MIN_DECIDED:
        return [ModelCheck(m, None, None) for m in METHODS], decided.height, 0, None
    train, test = time_split(decided)
    if not (_both_outcomes(train) and _both_outcomes(test)):
        return [ModelCheck(m, None, None) for m in METHODS], train.height, test.height, None
    checks = []
    rows = list(test.iter_rows(named=True))
    for method in METHODS:
        model = fit_method(train, method, features)
        if model is None:
            checks.append(ModelCheck(method, None, None))
            continue
        predicted = [model.score(row)[0] for row in rows]
        platt = "platt" if isinstance(model, LeadModel) and model.platt else None
        checks.append(ModelCheck(method, platt, reliability(predicted, _outcomes(test))))
    first = test["created_on"].min()
    return checks, train.height, test.height, first if isinstance(first, dt.date) else None


def _pick(checks: Sequence[ModelCheck]) -> tuple[Method, str]:
    measured = {c.method: c.held_out for c in checks if c.held_out is not None}
    bayes, logistic = measured.get("naive_bayes"), measured.get("logistic")
    if bayes is None or logistic is None:
        return ("naive_bayes" if bayes or not logistic else "logistic"), "no_holdout"
    if abs(bayes.log_loss - logistic.log_loss) > 1e-9:
        return ("logistic" if logistic.log_loss < bayes.log_loss else "naive_bayes"), (
            "lower_log_loss"
        )
    if abs(bayes.brier - logistic.brier) > 1e-12:
        return ("logistic" if logistic.brier < bayes.brier else "naive_bayes"), "lower_brier"
    return "naive_bayes", "tie"


def choose_model(
    leads: pl.DataFrame, wanted: str = "auto", features: Sequence[str] = FEATURES
) -> ScoreChoice:
    """Measure both methods, pick `wanted` (or the better for `auto`), refit it on all leads."""
    decided = decided_leads(leads)
    checks, train_n, test_n, test_from = held_out_checks(decided, features)
    if wanted == "auto":
        method, selected_by = _pick(checks)
    else:
        method, selected_by = ("logistic" if wanted == "logistic" else "naive_bayes"), "option"
    model = fit_method(decided, method, features)
    return ScoreChoice(method, selected_by, model, checks, train_n, test_n, test_from)
