"""`interval_calibration` in the JSON of `salesplan forecast` and `forecast backtest`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("interval") / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 3, 15))
    return ws


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))


def _json(capsys: pytest.CaptureFixture[str], workspace: Path, *argv: str) -> dict[str, object]:
    code = run(["-w", str(workspace), *argv, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)
    assert isinstance(doc, dict)
    return doc


def test_forecast_says_which_interval_calibration_it_applied(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    auto = _json(capsys, workspace, "forecast")["forecast"]
    fixed = _json(capsys, workspace, "forecast", "--method", "calibrated")["forecast"]
    assert isinstance(auto, dict) and isinstance(fixed, dict)
    # auto backtests 6 quarters (the default period is a quarter); every one of them counts.
    cal = auto["interval_calibration"]
    assert cal["cutoffs"] == 6
    # Factors are exp(6/9 · ln q) with q clipped to [0.5, 3]: within [0.5^(2/3), 3^(2/3)].
    assert 0.629 <= cal["p10_factor"] <= 2.081 and 0.629 <= cal["p90_factor"] <= 2.081
    # --method skips the backtest: nothing learnt, factors 1; the expectation is the same.
    assert fixed["interval_calibration"] == {"p10_factor": 1.0, "p90_factor": 1.0, "cutoffs": 0}
    if auto["method"] == "calibrated":
        assert auto["expected"] == fixed["expected"]


def test_backtest_reports_the_calibration_of_each_cutoff(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    doc = _json(capsys, workspace, "forecast", "backtest", "--cutoffs", "3")["backtest"]
    assert isinstance(doc, dict)
    assert {m: c["cutoffs"] for m, c in doc["interval_calibration"].items()} == {
        "stage": 3,
        "calibrated": 3,
    }
    # The k-th cutoff learns only from the k before it.
    assert [c["interval_calibration"]["calibrated"]["cutoffs"] for c in doc["cutoffs"]] == [0, 1, 2]
    first = doc["cutoffs"][0]["interval_calibration"]["stage"]
    assert (first["p10_factor"], first["p90_factor"]) == (1.0, 1.0)
