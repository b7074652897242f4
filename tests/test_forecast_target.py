"""Once a plan exists, the forecast reports the period's target and the chance of reaching it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert run(list(argv)) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_probability_of_the_quarter_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    argv = ("-q", "-w", str(ws), "forecast", "--period", "2027Q1", "--method", "stage", "-f",
            "json")  # fmt: skip

    before = _json(capsys, *argv)
    assert before["forecast"]["probability_of_target"] is None  # type: ignore[index]
    assert "no_target" in [w["code"] for w in before["warnings"]]  # type: ignore[attr-defined]

    assert run(["-q", "-w", str(ws), "plan", "new", "--reason", "start"]) == 0
    capsys.readouterr()
    targets = _json(capsys, "-q", "-w", str(ws), "targets", "--year", "2027", "-f", "json")
    q1 = next(q for q in targets["targets"]["quarters"] if q["period"] == "2027Q1")  # type: ignore[index]
    after = _json(capsys, *argv)["forecast"]
    assert after["target"] == q1["target"]  # type: ignore[index]
    p = after["probability_of_target"]  # type: ignore[index]
    assert 0.0 < p < 1.0
    # The chance is above one half exactly when the target lies below the expected value.
    above = Decimal(after["expected"]) > Decimal(q1["target"])  # type: ignore[index]
    assert (p > 0.5) == above
