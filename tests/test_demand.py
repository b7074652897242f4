"""Demand-decline signals: a planted decline in a hand-made series, a control, the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from salesplan.analytics.demand import (
    Demand,
    DemandSeries,
    demand,
    findings,
    judge,
    monthly_series,
)
from salesplan.cli import run
from salesplan.demo import generate
from salesplan.domain.records import RecordKind

D = dt.date
INDEX = (0.8, 0.8, 1.0, 1.0, 1.2, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
MONTHS = [D(2024, m, 1) for m in range(1, 13)] + [D(2025, m, 1) for m in range(1, 5)]


def _leads(*recent: int) -> list[int]:
    """1,000 a month through 2024, then the given months of 2025."""
    return [1000] * 12 + list(recent)


def test_planted_decline_by_hand() -> None:
    values = _leads(800, 600, 700, 900)
    points, declines = judge("leads", MONTHS, values, values, INDEX)
    jan, feb, mar, apr = points[12:]
    assert all(p.expected is None for p in points[:12])
    # Jan: level 1000 × 0.8 = 800; actual 800 is not below.
    assert jan.expected == pytest.approx(800.0) and not jan.below
    # Feb: level (11·1000 + 800)/12 = 983.33 × 0.8 = 786.67; 600 < 0.85 × 786.67 = 668.67
    # and < the bound 786.67 − 1.96·√786.67 = 731.69 → below.
    assert feb.expected == pytest.approx(786.6667, abs=1e-3)
    assert feb.low == pytest.approx(731.6943, abs=1e-3) and feb.below
    # Mar: (10·1000 + 800 + 600)/12 = 950 × 1.0; 700 < 807.5 → below.
    assert mar.expected == pytest.approx(950.0) and mar.below
    assert mar.ratio == pytest.approx(700 / 950)
    # Apr: (9000 + 800 + 600 + 700)/12 = 925; 900 ≥ 786.25 → not below.
    assert apr.expected == pytest.approx(925.0) and not apr.below
    (decline,) = declines
    assert decline.months == [D(2025, 2, 1), D(2025, 3, 1)]
    # Expected 786.67 + 950 = 1736.67, actual 1300: shortfall 436.67, share 0.2514.
    assert decline.actual == 1300
    assert decline.expected == pytest.approx(1736.6667, abs=1e-3)
    assert decline.shortfall == pytest.approx(436.6667, abs=1e-3)
    assert decline.shortfall_share == pytest.approx(436.6667 / 1736.6667)
    assert not decline.ongoing  # April recovered


def test_no_decline_controls() -> None:
    # One month below (Feb) is not a decline: March at 850 ≥ 0.85 × 950 = 807.5.
    values = _leads(800, 600, 850, 900)
    assert judge("leads", MONTHS, values, values, INDEX)[1] == []
    # A 24 % drop of a series made of one large deal a month is noise: with Σa² = 10⁶ per
    # month the bound of February is 786.67 − 1.96·√(10⁶ · 0.8) < 0.
    values = _leads(800, 600, 700, 900)
    points, declines = judge("pipeline", MONTHS, values, [1e6] * 16, INDEX)
    assert declines == [] and points[13].low is not None and points[13].low < 0


def test_ongoing_decline_becomes_a_finding() -> None:
    months, values = MONTHS[:15], _leads(800, 600, 700)
    points, declines = judge("leads", months, values, values, INDEX)
    assert [d.ongoing for d in declines] == [True]
    result = Demand(0.15, 2, [DemandSeries("leads", INDEX, "given", points, declines)])
    (finding,) = findings(result)
    assert (finding.code, finding.kind, finding.subject, finding.n) == (
        "demand_decline", "obstacle", "leads", 2,
    )  # fmt: skip
    assert finding.value == pytest.approx(1300 / 1736.6667, abs=1e-6)
    assert finding.benchmark == pytest.approx(0.85)


def test_monthly_series_fills_gaps_and_stops_before_the_current_month() -> None:
    days = pl.Series([D(2025, 1, 5), D(2025, 1, 9), D(2025, 3, 2), D(2025, 4, 1)])
    amounts = pl.Series([3, None, 4, 7])
    months, sums, squares = monthly_series(days, amounts, D(2025, 4, 20))
    # April is the current month; February had nothing; a missing amount counts 0.
    assert months == [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)]
    assert (sums, squares) == ([3, 0, 4], [9.0, 0.0, 16.0])


def test_demo_with_a_planted_fall_in_leads() -> None:
    as_of = D(2026, 11, 28)
    data = generate("small", seed=1, as_of=as_of)
    leads = data.frames[RecordKind.LEAD]
    opportunities = data.frames[RecordKind.OPPORTUNITY].rename(
        {"amount_minor": "amount_plan_minor"}
    )
    assert demand(leads, opportunities, as_of).declines == []  # steady 20 % growth
    # Remove 40 % of the leads created in August–October 2026.
    recent = (pl.col("created_on") >= D(2026, 8, 1)) & (pl.col("created_on") < D(2026, 11, 1))
    keep = pl.Series(np.random.default_rng(0).random(leads.height) > 0.4)
    thinned = leads.filter(~recent | keep)
    (decline,) = demand(thinned, opportunities, as_of).declines
    assert decline.metric == "leads" and decline.ongoing
    assert decline.months == [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)]
    assert 0.2 < decline.shortfall_share < 0.45  # about the 40 % removed, against growth


def test_bad_threshold() -> None:
    with pytest.raises(ValueError):
        judge("leads", MONTHS, _leads(), _leads(), INDEX, threshold=1.5)


def test_cli_demand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    assert run(["-q", "--workspace", ws, "demo-data", "--as-of", "2026-11-28"]) == 0
    capsys.readouterr()
    assert run(["-q", "--workspace", ws, "demand", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "currency", "locale", "demand", "warnings"}
    doc = document["demand"]
    assert doc["threshold"] == 0.15 and doc["min_run"] == 2
    assert [s["metric"] for s in doc["series"]] == ["leads", "pipeline"]
    leads = doc["series"][0]
    assert leads["months"][-1]["month"] == "2026-10-01"  # November is still running
    assert isinstance(leads["months"][-1]["actual"], int)
    pipeline = doc["series"][1]["months"][-1]
    assert isinstance(pipeline["actual"], str) and isinstance(pipeline["expected"], str)
    assert doc["declines"] == [] and doc["findings"] == []  # the demo grows steadily
    assert run(["-q", "--workspace", ws, "demand", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("month,leads,leads_expected")
    assert run(["-q", "--workspace", ws, "demand", "--threshold", "2"]) == 1
    assert run(["-q", "--workspace", ws, "--lang", "zh", "demand"]) == 0


def test_baseline_reports_a_current_decline_as_an_obstacle() -> None:
    """The baseline's findings carry the demand decline of the last complete months, and
    only when the period reaches them (a past year under review gets none)."""
    from salesplan.cli.baseline_sections import finding_message
    from salesplan.domain.periods import parse_period
    from salesplan.domain.stages import DEFAULT_STAGES
    from salesplan.i18n import translator
    from salesplan.services.baseline import BaselineFrames, demand_findings

    as_of = D(2026, 11, 28)
    data = generate("small", seed=1, as_of=as_of)
    leads = data.frames[RecordKind.LEAD]
    opportunities = data.frames[RecordKind.OPPORTUNITY].rename(
        {"amount_minor": "amount_plan_minor"}
    )
    recent = (pl.col("created_on") >= D(2026, 8, 1)) & (pl.col("created_on") < D(2026, 11, 1))
    keep = pl.Series(np.random.default_rng(0).random(leads.height) > 0.4)
    empty = pl.DataFrame()
    frames = BaselineFrames(
        as_of, opportunities, empty, empty, leads.filter(~recent | keep), empty, empty,
        DEFAULT_STAGES,
    )  # fmt: skip
    (finding,) = demand_findings(frames, parse_period("last-12m", as_of))
    assert (finding.code, finding.kind, finding.subject, finding.n) == (
        "demand_decline", "obstacle", "leads", 3,
    )  # fmt: skip
    assert demand_findings(frames, parse_period("2025", as_of)) == []
    # October is the last complete month: a period ending with it still counts.
    assert len(demand_findings(frames, parse_period("2026Q4", as_of))) == 1
    en = finding_message(finding, translator("en"))
    assert en.startswith("New leads ran at ") and "the last 3 months" in en
    zh = finding_message(finding, translator("zh_CN"))
    assert zh.startswith("最近 3 个月的新增线索只达到季节性预期的 ")
