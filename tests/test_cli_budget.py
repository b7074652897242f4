"""The plan's budget checked in `salesplan targets` on the small demo workspace."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_budget_in_targets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    # Without a plan there is no budget to check.
    code, out, err = _run(capsys, "-q", "-w", str(ws), "targets", "--year", "2027", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["targets"]["budget"] is None

    assert _run(capsys, "-q", "-w", str(ws), "plan", "new", "--reason", "start")[0] == 0
    plan = ws / "plan.yaml"
    text = plan.read_text("utf-8")
    start = text.index("budget:")
    end = text.index("\n\n", start)
    plan.write_text(
        text[:start]
        + "budget:\n"
        + '  - {id: B1, category: headcount, amount: "1000000.00"}\n'
        + '  - {id: B2, category: programs, amount: "250000.50"}\n'
        + text[end:],
        "utf-8",
    )
    code, _, err = _run(capsys, "-q", "-w", str(ws), "plan", "import", "--reason", "budget")
    assert code == 0, err
    code, out, err = _run(capsys, "-q", "-w", str(ws), "targets", "--year", "2027", "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    budget = doc["targets"]["budget"]
    # 1,000,000.00 + 250,000.50
    assert budget["total"] == "1250000.50"
    assert budget["by_category"]["headcount"] == "1000000.00"
    target = Decimal(doc["targets"]["target"])
    assert budget["cost_of_sales"] == pytest.approx(float(Decimal("1250000.50") / target))
    # The demo team costs far more than ¥1M a year: the check says so, with both numbers.
    assert Decimal(budget["team_cost"]) > Decimal("1000000.00")
    assert "headcount_below_team_cost" in budget["warnings"]
    messages = [w["message"] for w in doc["warnings"] if w["code"] == "headcount_below_team_cost"]
    assert messages and "1,000,000.00" in messages[0]
