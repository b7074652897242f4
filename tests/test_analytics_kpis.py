"""The KPI library file and the team KPIs against values worked out by hand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from salesplan.analytics.kpis import (
    evaluate,
    kpi_metrics,
    load_library,
    parse_library,
    sales_cost_minor,
    team_attrition,
)
from salesplan.domain.records import RecordKind, conform

D = dt.date
YEAR = (D(2025, 1, 1), D(2026, 1, 1))

GUIDE_KPIS = {
    "gross_margin", "sales_roi", "website_traffic", "leads", "lead_conversion", "pipeline_value",
    "win_rate", "avg_deal_size", "sales_cycle", "calls", "emails", "meetings_booked",
    "customer_retention", "team_attrition", "training_progress",
}  # fmt: skip

TEAM = pl.DataFrame(
    {
        "id": ["a", "b", "c", "d"],
        "start_date": [D(2020, 1, 1), D(2020, 1, 1), D(2025, 7, 1), D(2020, 1, 1)],
        "end_date": [None, D(2025, 6, 30), None, D(2024, 5, 1)],
        "quota_plan_minor": [None, None, None, None],
        "cost_plan_minor": [365, 365, 365, 365],
    },
    schema_overrides={"quota_plan_minor": pl.Int64},
)


def test_library_holds_every_kpi_the_guide_names() -> None:
    library = load_library()
    ids = {k.id for k in library}
    assert ids >= GUIDE_KPIS
    for kpi in library:
        assert kpi.name_en and kpi.name_zh and kpi.definition_en and kpi.definition_zh
        assert kpi.formula.startswith("methods.md#")
        # A KPI the data cannot give says what to enter; one whose metric may lack input
        # (gross margin: deal costs) says so too.
        assert kpi.metric is not None or kpi.needs_en is not None
    assert next(k for k in library if k.id == "training_progress").type == "leading"
    assert next(k for k in library if k.id == "sales_cycle").good == "down"


def test_every_metric_the_library_names_is_computed() -> None:
    empty = {k: conform(k, pl.DataFrame()) for k in RecordKind}
    opps = empty[RecordKind.OPPORTUNITY].with_columns(
        pl.lit(None, pl.Int64).alias("amount_plan_minor")
    )
    metrics = kpi_metrics(
        opportunities=opps, leads=empty[RecordKind.LEAD], accounts=empty[RecordKind.ACCOUNT],
        activities=empty[RecordKind.ACTIVITY], team=TEAM.clear(), start=YEAR[0], end=YEAR[1],
    )  # fmt: skip
    named = {k.metric for k in load_library() if k.metric}
    assert named <= set(metrics)
    values = {v.kpi.id: v for v in evaluate(load_library(), metrics)}
    assert values["gross_margin"].status == "needs_input"
    assert values["win_rate"].status == "no_data"  # nothing closed in an empty workspace
    assert values["pipeline_value"].value == 0


def test_audience_filter() -> None:
    library = load_library()
    reps = evaluate(library, {}, "rep")
    assert reps and all("rep" in v.kpi.audience for v in reps)
    assert "gross_margin" not in {v.kpi.id for v in reps}


def test_team_attrition_and_cost_by_hand() -> None:
    # Head count on 2025-01-01: a, b (c not yet, d gone) = 2; on 2025-12-31: a, c = 2.
    # Leavers in 2025: b → 1 ÷ 2 = 0.5.
    assert team_attrition(TEAM, *YEAR) == pytest.approx(0.5)
    # Cost 365 a year each: a 365, b 181 days (to 30 June) → 181, c 184 days → 184, d 0.
    assert sales_cost_minor(TEAM, *YEAR) == 365 + 181 + 184


def test_bad_library_is_refused() -> None:
    entry = {
        "id": "x",
        "name": {"en": "X"},
        "definition": {"en": "d", "zh": "d"},
        "unit": "rate",
        "type": "leading",
        "audience": ["rep"],
        "good": "up",
        "metric": "x",
    }
    with pytest.raises(ValueError, match="name needs en and zh"):
        parse_library({"kpis": [entry]})
    fixed = {**entry, "name": {"en": "X", "zh": "X"}}
    with pytest.raises(ValueError, match="audience"):
        parse_library({"kpis": [{**fixed, "audience": ["ceo"]}]})
    with pytest.raises(ValueError, match="repeated"):
        parse_library({"kpis": [fixed, fixed]})
    with pytest.raises(ValueError, match="needs"):
        parse_library({"kpis": [{**fixed, "metric": None}]})


def test_formula_references_name_sections_of_methods_md() -> None:
    methods = Path(__file__).parents[1] / "docs" / "methods.md"
    anchors = set()
    for line in methods.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    for kpi in load_library():
        assert kpi.formula.removeprefix("methods.md#") in anchors, kpi.formula


def test_gross_margin_of_won_deals_with_a_cost() -> None:
    from salesplan.analytics.kpis import gross_margin

    deals = pl.DataFrame(
        {
            "status": ["won", "won", "won", "lost", "won"],
            "closed_on": [D(2025, 2, 1), D(2025, 6, 1), D(2025, 7, 1), D(2025, 3, 1),
                          D(2024, 12, 31)],
            "amount_plan_minor": [1000, 3000, 500, 9000, 7000],
            "cost_plan_minor": [400, 1500, None, 100, 1],
        }
    )  # fmt: skip
    # In 2025, won with a cost: 1000 (cost 400) and 3000 (cost 1500); the 500 deal has no
    # cost, the lost deal and the 2024 deal are out: (4000 − 1900) / 4000 = 0.525.
    assert gross_margin(deals, *YEAR) == pytest.approx(0.525)
    assert gross_margin(deals.with_columns(pl.lit(None, pl.Int64).alias("cost_plan_minor")),
                        *YEAR) is None  # fmt: skip
    assert gross_margin(deals.drop("cost_plan_minor"), *YEAR) is None
    metrics = {"gross_margin": None}
    (value,) = [v for v in evaluate(load_library(), metrics) if v.kpi.id == "gross_margin"]
    assert value.status == "needs_input" and value.kpi.needs("en")
