"""A data-driven lead conversion score: naive Bayes over lead attributes, as Odoo's
predictive lead scoring does, with the team's conversion rate as the prior.

Training rows are leads with an outcome: `converted` (1) or `disqualified` (0). For each
attribute f (source, segment, region, industry, company_size) and value v, with Laplace
smoothing α = 1 over the k values seen for f:

    P(v | converted)   = (conv(f, v) + 1) ÷ (conv_total + k_f)
    P(v | not)         = (lost(f, v) + 1) ÷ (lost_total + k_f)

and for a lead x with prior p = conv_total ÷ (conv_total + lost_total):

    score(x) = p·Π P(xᶠ|converted) ÷ (p·Π P(xᶠ|converted) + (1−p)·Π P(xᶠ|not))

A missing or never-seen value contributes nothing (factor 1 on both sides). Each factor's
weight is its log-likelihood ratio ln(P(v|converted) ÷ P(v|not)); the top factors of a lead
are those with the largest |weight|.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

FEATURES: tuple[str, ...] = ("source", "segment", "region", "industry", "company_size")


@dataclass(frozen=True, slots=True)
class LeadModel:
    prior: float
    n_converted: int
    n_lost: int
    weights: dict[tuple[str, str], float]
    """(attribute, value) → ln(P(value | converted) ÷ P(value | not converted))."""


def fit_lead_model(leads: pl.DataFrame, features: Sequence[str] = FEATURES) -> LeadModel | None:
    """Fit on converted vs disqualified leads; None when either outcome is missing."""
    decided = leads.filter(pl.col("status").is_in(["converted", "disqualified"]))
    converted = decided.filter(pl.col("status") == "converted")
    n_conv, n_lost = converted.height, decided.height - converted.height
    if n_conv == 0 or n_lost == 0:
        return None
    weights: dict[tuple[str, str], float] = {}
    for feature in features:
        if feature not in decided.columns:
            continue
        counts = (
            decided.filter(pl.col(feature).is_not_null())
            .group_by(feature)
            .agg(
                (pl.col("status") == "converted").sum().alias("conv"),
                (pl.col("status") != "converted").sum().alias("lost"),
            )
        )
        k = counts.height
        for value, conv, lost in counts.iter_rows():
            p_conv = (conv + 1) / (n_conv + k)
            p_lost = (lost + 1) / (n_lost + k)
            weights[(feature, str(value))] = math.log(p_conv / p_lost)
    return LeadModel(n_conv / (n_conv + n_lost), n_conv, n_lost, weights)


def score_lead(
    model: LeadModel, lead: dict[str, object], top: int = 3
) -> tuple[float, list[tuple[str, str, float]]]:
    """(conversion probability, top factors as (attribute, value, weight)) for one lead."""
    logit = math.log(model.prior / (1 - model.prior))
    factors = []
    for (feature, value), weight in model.weights.items():
        if lead.get(feature) is not None and str(lead[feature]) == value:
            logit += weight
            factors.append((feature, value, weight))
    factors.sort(key=lambda f: -abs(f[2]))
    return 1 / (1 + math.exp(-logit)), factors[:top]
