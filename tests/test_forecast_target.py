"""The target the forecast compares to comes from the plan (`target_source`):

1. `plan_period`: a bookings goal written in the plan for that period (due on its last day,
   its id or title naming it);
2. `plan_goal_split`: else the plan's annual bookings goal split by the seasonality index,
   as `salesplan targets` splits a year;
3. no plan (or no bookings goal with a target): no target, warning `no_target`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.services.demo import load_demo_data


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert run(list(argv)) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _forecast(capsys: pytest.CaptureFixture[str], ws: Path, period: str) -> dict[str, Any]:
    argv = ("-q", "-w", str(ws), "forecast", "--period", period, "--method", "stage", "-f",
            "json")  # fmt: skip
    return _json(capsys, *argv)


PERIOD_GOAL = """  - id: G1-Q1
    level: operational
    title: Q1 bookings
    metric: bookings
    target: "25000000.00"
    unit: money
    due: 2027-03-31
    parent: G1
"""


def test_target_from_the_plan_goal_and_a_period_goal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))

    before = _forecast(capsys, ws, "2027Q1")
    assert before["forecast"]["target"] is None
    assert before["forecast"]["target_source"] is None
    assert before["forecast"]["probability_of_target"] is None
    assert "no_target" in [w["code"] for w in before["warnings"]]

    # A plan whose annual bookings goal (G1) is typed in by hand: 120,000,000.00.
    assert run(["-q", "-w", str(ws), "plan", "new", "--reason", "start"]) == 0
    plan = ws / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    g1 = re.compile(r'(- id: G1\n(?:    .*\n)*?    target: )("?[0-9.]+"?|null)')
    assert g1.search(text), text[:2000]
    plan.write_text(g1.sub(r'\g<1>"120000000.00"', text, count=1), encoding="utf-8")
    assert run(["-q", "-w", str(ws), "plan", "import", str(plan), "--reason", "goal"]) == 0
    capsys.readouterr()

    year = _forecast(capsys, ws, "2027")["forecast"]
    assert year["target"] == "120000000.00" and year["target_source"] == "plan_goal_split"
    # `gaps` measures the forecast against the same goal, not the blend of `targets`.
    gaps = _json(capsys, "-q", "-w", str(ws), "gaps", "--year", "2027", "-f", "json")["gaps"]
    assert gaps["target"] == "120000000.00" and gaps["target_source"] == "plan_goal_split"
    totals = [g for g in gaps["items"] if g["type"].startswith("forecast") and not g["scope"]]
    assert all(g["benchmark"] == "120000000.00" for g in totals if g["period"] == "2027")

    weights = _json(capsys, "-q", "-w", str(ws), "targets", "--year", "2027", "-f", "json")[
        "targets"]["seasonality"]["weights"]  # fmt: skip
    q1 = _forecast(capsys, ws, "2027Q1")["forecast"]
    assert q1["target_source"] == "plan_goal_split"
    # The targets command's month weights are a seasonality index (they average 1):
    # Q1 = 120,000,000.00 × (w_Jan + w_Feb + w_Mar) / Σw; the split allocates whole fen
    # (largest remainder), so within 0.01 of the exact share.
    index = [Decimal(str(w)) for w in weights]
    share = sum(index[:3]) / sum(index)
    assert abs(Decimal(q1["target"]) - Decimal("120000000.00") * share) <= Decimal("0.01")
    p = q1["probability_of_target"]
    assert 0.0 <= p <= 1.0
    assert (p > 0.5) == (Decimal(q1["expected"]) > Decimal(q1["target"]))
    january = _forecast(capsys, ws, "2027-01")["forecast"]
    assert january["target_source"] == "plan_goal_split"
    # January = 120,000,000.00 × w_Jan / Σw, allocated via the quarter: ≤ 1 fen per level.
    exact = Decimal("120000000.00") * index[0] / sum(index)
    assert abs(Decimal(january["target"]) - exact) <= Decimal("0.02")

    # A goal written for Q1 wins over the split; January still comes from the annual goal.
    text = plan.read_text(encoding="utf-8")
    anchor = "  - id: G2\n"
    plan.write_text(text.replace(anchor, PERIOD_GOAL + anchor, 1), encoding="utf-8")
    assert run(["-q", "-w", str(ws), "plan", "import", str(plan), "--reason", "q1"]) == 0
    capsys.readouterr()
    q1 = _forecast(capsys, ws, "2027Q1")["forecast"]
    assert q1["target"] == "25000000.00" and q1["target_source"] == "plan_period"
    assert _forecast(capsys, ws, "2027-01")["forecast"]["target_source"] == "plan_goal_split"
    # Another year than the plan's: no target.
    other = _forecast(capsys, ws, "2028Q1")
    assert other["forecast"]["target"] is None and other["forecast"]["target_source"] is None
