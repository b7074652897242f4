"""The regularised logistic alternative to naive Bayes: one model of every attribute at once,
so correlated attributes share their effect instead of each claiming it in full.

    logit P(converted | x) = β₀ + Σ_f β_f·x_f

Categorical attributes are one-hot encoded, one column per value seen in training (no
reference level: the penalty makes the fit unique, and each β is the value's own push on the
log-odds); a missing or never-seen value is all zeros. Numeric attributes are standardised,
z = (x − mean) ÷ sd over training (missing → 0, the mean). The fit maximises

    loglike(β) ÷ n − α·|β₁..β_k|² ÷ 2,   α = RIDGE ÷ n,

with statsmodels `GLM(Binomial).fit_regularized(L1_wt=0)`; the intercept is not penalised.
α = 1 ÷ n is a Normal(0, 1) prior on every coefficient: a one-hot value or one standard
deviation rarely moves the odds by more than e² ≈ 7×. A lead's factor for an attribute is
β of its value (categorical) or β·z (numeric), in log-odds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.analytics.lead_scoring import (
    FEATURES,
    OUTCOME,
    TOP_FACTORS,
    Driver,
    Factor,
    decided_leads,
)

RIDGE = 1.0


@dataclass(frozen=True, slots=True)
class Column:
    """One design column: a categorical value (value set) or a numeric attribute (mean, sd)."""

    attribute: str
    value: str | None
    mean: float = 0.0
    sd: float = 1.0
    n: int = 0


@dataclass(frozen=True, slots=True)
class LogisticModel:
    intercept: float
    columns: list[Column]
    coefficients: list[float]
    n_converted: int
    n_lost: int

    method = "logistic"

    @property
    def prior(self) -> float:
        return self.n_converted / (self.n_converted + self.n_lost)

    def score(
        self, lead: Mapping[str, object], top: int = TOP_FACTORS
    ) -> tuple[float, list[Factor]]:
        """(conversion probability, top factors by |log-odds|) for one lead."""
        logit = self.intercept
        factors: list[Factor] = []
        for column, beta in zip(self.columns, self.coefficients, strict=True):
            x = _cell(column, lead.get(column.attribute))
            if x != 0.0:
                logit += beta * x
                shown = column.value if column.value is not None else str(lead[column.attribute])
                factors.append((column.attribute, shown, beta * x))
        factors.sort(key=lambda f: -abs(f[2]))
        return _sigmoid(logit), factors[:top]

    def drivers(self) -> list[Driver]:
        """Every coefficient, most favourable first (numeric: per standard deviation)."""
        found = [
            Driver(c.attribute, c.value if c.value is not None else "+1 sd", beta, c.n)
            for c, beta in zip(self.columns, self.coefficients, strict=True)
        ]
        return sorted(found, key=lambda d: (-d.weight, d.attribute, d.value))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def _cell(column: Column, raw: object) -> float:
    if raw is None:
        return 0.0
    if column.value is not None:
        return 1.0 if str(raw) == column.value else 0.0
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return 0.0
    return (float(raw) - column.mean) / column.sd


def _columns(decided: pl.DataFrame, features: Sequence[str]) -> list[Column]:
    columns = []
    for feature in features:
        if feature not in decided.columns:
            continue
        series = decided[feature].drop_nulls()
        if series.dtype.is_numeric():
            values = series.cast(pl.Float64).to_numpy()
            sd = float(values.std()) if values.size > 1 else 0.0
            if sd > 0:
                columns.append(Column(feature, None, float(values.mean()), sd, int(values.size)))
            continue
        counts = series.cast(pl.String).value_counts(sort=True)
        for value, n in counts.iter_rows():
            columns.append(Column(feature, str(value), n=int(n)))
    return columns


def fit_logistic_model(
    leads: pl.DataFrame, features: Sequence[str] = FEATURES, ridge: float = RIDGE
) -> LogisticModel | None:
    """Fit on decided leads (lead_scoring.decided_leads); None without both outcomes."""
    decided = decided_leads(leads)
    y = decided[OUTCOME].cast(pl.Float64).to_numpy()
    n_conv = int(y.sum())
    if n_conv == 0 or n_conv == y.size:
        return None
    columns = _columns(decided, features)
    rows = decided.select([c for c in dict.fromkeys(col.attribute for col in columns)])
    design = np.ones((decided.height, len(columns) + 1))
    for j, column in enumerate(columns, start=1):
        design[:, j] = [_cell(column, v) for v in rows[column.attribute].to_list()]
    alpha = np.full(design.shape[1], ridge / decided.height)
    alpha[0] = 0.0
    from statsmodels.genmod.families import Binomial  # type: ignore[import-untyped]
    from statsmodels.genmod.generalized_linear_model import GLM  # type: ignore[import-untyped]

    model = GLM(y, design, family=Binomial())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit_regularized(alpha=alpha, L1_wt=0.0)
    params = np.asarray(fitted.params, dtype=float)
    return LogisticModel(
        float(params[0]), columns, [float(b) for b in params[1:]], n_conv, int(y.size) - n_conv
    )
