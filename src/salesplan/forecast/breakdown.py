"""Roll-ups of a scored pipeline: CRM forecast categories, groups, and the deals that matter.

Expected amounts are Σ a_i·p_i rounded half-even to the minor unit once per line; group ranges
come from simulation.simulate on the group's own deals (no run-rate: it is not assigned to
groups).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.forecast.simulation import simulate

CATEGORIES = ("closed", "commit", "best_case", "pipeline", "omitted")


@dataclass(frozen=True, slots=True)
class Line:
    group: dict[str, str | None]
    deals: int
    amount_minor: int
    expected_minor: int
    p10_minor: int | None = None
    p90_minor: int | None = None


def category_rollup(scored: pl.DataFrame, closed_minor: int) -> list[Line]:
    """Open deals per CRM forecast category (stated amounts and the model's expectation);
    `closed` holds what was already won in the period."""
    by = scored.group_by("forecast_category").agg(
        pl.len().alias("n"),
        pl.col("amount_plan_minor").sum().alias("a"),
        pl.col("expected_minor").sum().alias("e"),
    )
    rows = {r["forecast_category"]: r for r in by.iter_rows(named=True)}
    lines = [Line({"forecast_category": "closed"}, 0, closed_minor, closed_minor)]
    for category in (*CATEGORIES[1:], None):
        row = rows.get(category)
        if row is None:
            continue
        lines.append(
            Line({"forecast_category": category}, int(row["n"]), int(row["a"] or 0),
                 round(float(row["e"] or 0.0)))
        )  # fmt: skip
    return lines


def group_rollup(
    scored: pl.DataFrame, by: Sequence[str], *, sims: int = 2000, seed: int = 0
) -> list[Line]:
    """Per combination of `by` columns: deals, amount, expectation and P10/P90."""
    if not by or scored.height == 0:
        return []
    lines = []
    for key, group in scored.sort(list(by), nulls_last=True).group_by(
        list(by), maintain_order=True
    ):
        amounts = group["amount_plan_minor"].fill_null(0).to_numpy().astype(float)
        spread = simulate(amounts, group["p_period"].to_numpy(), sims=sims, seed=seed)
        lines.append(
            Line(
                dict(zip(by, [None if k is None else str(k) for k in key], strict=True)),
                group.height,
                int(group["amount_plan_minor"].fill_null(0).sum()),
                spread.expected_minor,
                spread.p10_minor,
                spread.p90_minor,
            )
        )
    return lines


def top_deals(scored: pl.DataFrame, count: int = 10) -> pl.DataFrame:
    """The deals with the largest expected contribution to the period."""
    return scored.sort("expected_minor", "opportunity_id", descending=[True, False]).head(count)
