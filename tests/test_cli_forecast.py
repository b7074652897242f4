"""`salesplan forecast`, `forecast backtest` and `forecast hygiene` end to end, in-process."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("forecast") / "ws"
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


def test_forecast_json_contract(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, err = _run(capsys, "-w", str(workspace), "forecast", "--format", "json",
                          "--by", "segment")  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-03-15"
    f = doc["forecast"]
    # Default period: the quarter after the as-of date.
    assert f["period"] == {"label": "2026Q2", "start": "2026-04-01", "end_exclusive": "2026-07-01"}
    assert f["requested_method"] == "auto" and f["method"] in ("stage", "calibrated")
    p10, p50, p90 = (Decimal(f[k]) for k in ("p10", "p50", "p90"))
    assert p10 <= p50 <= p90
    parts = f["components"]
    # expected = closed + pipeline + run-rate, each rounded to the fen: within 2 fen.
    total = sum(Decimal(parts[k]) for k in ("closed", "pipeline", "run_rate"))
    assert abs(total - Decimal(f["expected"])) <= Decimal("0.02")
    assert f["probability_of_target"] is None
    assert "no_target" in [w["code"] for w in doc["warnings"]]
    assert f["backtest"]["grain"] == "quarter"
    assert {g["group"]["segment"] for g in f["groups"]} >= {"smb", "enterprise"}
    assert len(f["top_deals"]) == 10
    assert 0 <= f["top_deals"][0]["p_win"] <= 1


def test_forecast_month_with_stage_method_in_chinese(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    code, out, err = _run(capsys, "--lang", "zh", "-w", str(workspace), "forecast",
                          "--period", "2026-04", "--method", "stage")  # fmt: skip
    assert code == 0, err
    assert "预期" in out


def test_forecast_csv_has_the_summary(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, _ = _run(capsys, "-w", str(workspace), "forecast", "--method", "calibrated",
                        "-f", "csv")  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == "metric,value"


def test_backtest_json(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, err = _run(capsys, "-w", str(workspace), "forecast", "backtest", "--grain",
                          "quarter", "--cutoffs", "2", "-f", "json")  # fmt: skip
    assert code == 0, err
    b = json.loads(out)["backtest"]
    # As of 15 Mar 2026 the last two complete quarters are 2025Q3 and 2025Q4.
    assert [c["cutoff"] for c in b["cutoffs"]] == ["2025-07-01", "2025-10-01"]
    methods = {s["method"] for s in b["scores"]}
    assert methods == {"stage", "calibrated", "last_period", "mean_3", "last_year"}
    assert b["chosen"] in ("stage", "calibrated")
    assert b["reason"]


def test_hygiene_for_one_owner(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, err = _run(capsys, "-w", str(workspace), "forecast", "hygiene", "-f", "json")
    assert code == 0, err
    h = json.loads(out)["hygiene"]
    assert h["owners"] and h["deals"]
    owner = h["owners"][0]["owner_id"]
    code, out, _ = _run(capsys, "-w", str(workspace), "forecast", "hygiene", "--owner", owner,
                        "-f", "json")  # fmt: skip
    assert code == 0
    one = json.loads(out)["hygiene"]
    assert [o["owner_id"] for o in one["owners"]] == [owner]
    assert all(d["owner_id"] == owner for d in one["deals"])


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["forecast", "--method", "magic"], "magic"),
        (["forecast", "--period", "2024Q1"], "2024Q1"),
        (["forecast", "--by", "planet"], "planet"),
        (["forecast", "backtest", "--grain", "week"], "week"),
        (["forecast", "hygiene", "--owner", "Nobody Here"], "Nobody Here"),
    ],
)
def test_bad_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], workspace: Path, argv: list[str], needle: str
) -> None:
    code, _out, err = _run(capsys, "-w", str(workspace), *argv)
    assert code == 1
    assert needle in err and "Traceback" not in err


def test_empty_workspace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "-w", str(tmp_path / "empty"), "forecast")
    assert code == 1
    assert "no opportunities" in err
