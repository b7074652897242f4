"""A data-driven lead conversion score: naive Bayes over lead attributes, as Odoo's
predictive lead scoring does, with the team's conversion rate as the prior.

Training rows are *decided* leads: converted (1: status `converted` or `converted_on` set)
or disqualified (0). For each attribute f (source, segment, region, industry, company_size)
and value v, with Laplace smoothing α = 1 over the k values seen for f:

    P(v | converted)   = (conv(f, v) + 1) ÷ (conv_total + k_f)
    P(v | not)         = (lost(f, v) + 1) ÷ (lost_total + k_f)

and for a lead x with prior p = conv_total ÷ (conv_total + lost_total):

    score(x) = p·Π P(xᶠ|converted) ÷ (p·Π P(xᶠ|converted) + (1−p)·Π P(xᶠ|not))

A missing or never-seen value contributes nothing (factor 1 on both sides). Each factor's
weight is its log-likelihood ratio ln(P(v|converted) ÷ P(v|not)); the top factors of a lead
are those with the largest |weight|. With a Platt calibration (lead_calibration.py) the
score becomes σ(a·logit(score) + b) and every weight is multiplied by a, so weights stay in
the log-odds units of the calibrated score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.lead_calibration import Platt

FEATURES: tuple[str, ...] = ("source", "segment", "region", "industry", "company_size")
OUTCOME = "_converted"
TOP_FACTORS = 3

Factor = tuple[str, str, float]
"""(attribute, value, weight in log-odds)."""


@dataclass(frozen=True, slots=True)
class Driver:
    """One attribute value's effect on the log-odds of converting, with its n in training."""

    attribute: str
    value: str
    weight: float
    n: int


def decided_leads(leads: pl.DataFrame) -> pl.DataFrame:
    """Leads with an outcome, with OUTCOME = 1 converted, 0 disqualified (open leads dropped)."""
    converted = pl.col("status") == "converted"
    if "converted_on" in leads.columns:
        converted = converted | pl.col("converted_on").is_not_null()
    return leads.with_columns(converted.fill_null(False).cast(pl.Int8).alias(OUTCOME)).filter(
        (pl.col(OUTCOME) == 1) | (pl.col("status") == "disqualified")
    )


@dataclass(frozen=True, slots=True)
class LeadModel:
    prior: float
    n_converted: int
    n_lost: int
    weights: dict[tuple[str, str], float]
    """(attribute, value) → ln(P(value | converted) ÷ P(value | not converted))."""
    counts: dict[tuple[str, str], int] | None = None
    """(attribute, value) → decided leads with it in training."""
    platt: Platt | None = None

    method = "naive_bayes"

    def score(
        self, lead: Mapping[str, object], top: int = TOP_FACTORS
    ) -> tuple[float, list[Factor]]:
        return score_lead(self, lead, top)

    def drivers(self) -> list[Driver]:
        """Every (attribute, value) weight, most favourable first (calibrated units)."""
        slope = self.platt.slope if self.platt else 1.0
        counts = self.counts or {}
        found = [
            Driver(f, v, slope * w, counts.get((f, v), 0)) for (f, v), w in self.weights.items()
        ]
        return sorted(found, key=lambda d: (-d.weight, d.attribute, d.value))


def fit_lead_model(leads: pl.DataFrame, features: Sequence[str] = FEATURES) -> LeadModel | None:
    """Fit on converted vs disqualified leads; None when either outcome is missing."""
    decided = decided_leads(leads)
    n_conv = int(decided[OUTCOME].sum())
    n_lost = decided.height - n_conv
    if n_conv == 0 or n_lost == 0:
        return None
    weights: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], int] = {}
    for feature in features:
        if feature not in decided.columns:
            continue
        counts = (
            decided.filter(pl.col(feature).is_not_null())
            .group_by(feature)
            .agg(pl.col(OUTCOME).sum().alias("conv"), (1 - pl.col(OUTCOME)).sum().alias("lost"))
        )
        k = counts.height
        for value, conv, lost in counts.iter_rows():
            p_conv = (conv + 1) / (n_conv + k)
            p_lost = (lost + 1) / (n_lost + k)
            weights[(feature, str(value))] = math.log(p_conv / p_lost)
            seen[(feature, str(value))] = int(conv + lost)
    return LeadModel(n_conv / (n_conv + n_lost), n_conv, n_lost, weights, seen)


def score_lead(
    model: LeadModel, lead: Mapping[str, object], top: int = TOP_FACTORS
) -> tuple[float, list[Factor]]:
    """(conversion probability, top factors as (attribute, value, weight)) for one lead."""
    logit = math.log(model.prior / (1 - model.prior))
    factors = []
    for (feature, value), weight in model.weights.items():
        if lead.get(feature) is not None and str(lead[feature]) == value:
            logit += weight
            factors.append((feature, value, weight))
    p = 1 / (1 + math.exp(-logit)) if logit > -700 else 0.0
    if model.platt is not None:
        p = model.platt.apply(p)
        factors = [(f, v, model.platt.slope * w) for f, v, w in factors]
    factors.sort(key=lambda f: -abs(f[2]))
    return p, factors[:top]
