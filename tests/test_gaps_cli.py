"""`salesplan gaps` end to end on the small demo workspace, in-process."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data
from salesplan.services.gaps import compute_gaps


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("gaps") / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 3, 15))
    return ws


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_contract_ranked_by_money(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, err = _run(capsys, "-w", str(workspace), "gaps", "-f", "json", "--propose")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"as_of", "currency", "locale", "gaps", "warnings"}
    g = doc["gaps"]
    assert g["year"] == 2026 and g["by"] == ["segment"] and Decimal(g["target"]) > 0
    items = g["items"]
    stakes = [Decimal(i["at_stake"]) for i in items]
    assert stakes == sorted(stakes, reverse=True)
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    types = {i["type"] for i in items}
    assert {"stage_conversion", "forecast_shortfall", "follow_up"} <= types
    first = items[0]
    for key in ("id", "scope", "actual", "benchmark", "benchmark_source", "n", "confidence",
                "formula", "formula_text", "terms", "play"):  # fmt: skip
        assert key in first
    assert len({i["id"] for i in items}) == len(items)
    proposals = g["proposals"]
    assert proposals and all(p["status"] == "draft" for p in proposals)
    assert {p["gap"] for p in proposals} <= {i["id"] for i in items}
    assert g["written"] == [] and "no_plan" in [w["code"] for w in doc["warnings"]]


def test_propose_writes_drafts_into_the_plan_once(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    ws = tmp_path_factory.mktemp("gaps-plan") / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 3, 15))
    code, _, err = _run(capsys, "-w", str(ws), "plan", "new", "--reason", "start")
    assert code == 0, err
    code, out, err = _run(capsys, "-w", str(ws), "gaps", "--propose", "-f", "json")
    assert code == 0, err
    g = json.loads(out)["gaps"]
    gaps_proposed = {p["gap"] for p in g["proposals"]}
    assert len(g["written"]) == len(gaps_proposed) > 0
    text = (ws / "plan.yaml").read_text("utf-8")
    assert "status: draft" in text and next(iter(gaps_proposed)) in text
    code, out, err = _run(capsys, "-w", str(ws), "gaps", "--propose", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["gaps"]["written"] == []
    assert "gaps_already_answered" in [w["code"] for w in doc["warnings"]]


def test_funnel_gap_explains_its_money(workspace: Path) -> None:
    settings = Settings(workspace=workspace, database_url=None, locale="en", currency="CNY")
    report = compute_gaps(settings, year=2026, period="2026Q3", by=["segment", "region"])
    funnel = next(g for g in report.gaps if g.formula == "funnel_impact")
    t = funnel.terms
    # at stake = entries × (benchmark − actual) × downstream × average deal, to the fen.
    expected = t["extra_deals"] * t["avg_deal_minor"]  # type: ignore[operator]
    assert abs(funnel.at_stake_minor - expected) <= 1
    assert t["extra_deals"] == pytest.approx(
        t["entries"] * (t["benchmark"] - t["actual"]) * t["downstream_win_rate"]  # type: ignore[operator]
    )
    outcome = [g for g in report.gaps if g.type.value.startswith(("forecast", "pipeline"))]
    assert outcome and all(g.period in ("2026Q3", "2026-07", "2026-08", "2026-09") for g in outcome)


def test_table_in_chinese_and_csv(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, err = _run(capsys, "--lang", "zh", "-w", str(workspace), "gaps")
    assert code == 0, err
    assert "缺口" in out
    code, out, _ = _run(capsys, "-w", str(workspace), "gaps", "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("rank,type,period,scope")


@pytest.mark.parametrize(
    "argv",
    [("gaps", "--by", "colour"), ("gaps", "--period", "soon"), ("gaps", "--year", "1990")],
)
def test_bad_input_is_one_clean_line(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: tuple[str, ...]
) -> None:
    code, out, err = _run(capsys, "-w", str(workspace), *argv)
    assert code == 1 and out == "" and err.count("\n") == 1


def test_empty_workspace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "-w", str(tmp_path / "empty"), "gaps")
    assert code == 1 and "no opportunities" in err


def test_gaps_recorded_in_the_plan_are_ranked_with_the_measured_ones(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    ws = tmp_path_factory.mktemp("gaps-notes") / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 3, 15))
    assert _run(capsys, "-w", str(ws), "plan", "new", "--reason", "start")[0] == 0
    plan = ws / "plan.yaml"
    plan.write_text(
        plan.read_text("utf-8")
        + "gaps:\n"
        + "  - id: G1\n"
        + "    kind: stale_collateral\n"
        + "    description: Case studies are two years old\n"
        + "    segment: enterprise\n"
        + "    estimate: '1500000.00'\n",
        "utf-8",
    )
    code, _, err = _run(capsys, "-w", str(ws), "plan", "import", "--reason", "collateral")
    assert code == 0, err
    code, out, err = _run(capsys, "-w", str(ws), "gaps", "-f", "json")
    assert code == 0, err
    items = json.loads(out)["gaps"]["items"]
    recorded = [g for g in items if g["type"] == "stale_collateral"]
    assert len(recorded) == 1
    # The author's estimate of ¥1,500,000.00 is the money at stake, exactly.
    assert Decimal(recorded[0]["at_stake"]) == Decimal("1500000.00")
    assert recorded[0]["scope"]["segment"] == "enterprise"
    # Ranked among the measured gaps by that money.
    stakes = [Decimal(g["at_stake"]) for g in items]
    assert stakes == sorted(stakes, reverse=True)
