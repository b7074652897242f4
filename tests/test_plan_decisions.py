"""Pending decisions in `plan status` and `plan validate`: items marked `needs_decision` (as
`plan roll-forward` leaves them) and segments in `status: draft` (as `segments --apply` leaves
them), on a hand-made plan, in tables and JSON, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.domain.plan import Plan
from salesplan.domain.plan_decisions import open_decisions
from salesplan.domain.plan_process import DataFacts, process_status
from salesplan.services.plan_store import check_text

MARKED = """\
type: annual
year: 2027
language: en
title: Plan 2027
currency: CNY
starts: 2027-01-01
ends: 2027-12-31
goals:
  - {id: G1, level: top, title: Bookings, metric: bookings, target: "800000.00", unit: money,
     due: 2027-12-31, proposed_target: "880000.00", needs_decision: target}
  - {id: G2, level: operational, title: Meetings, metric: meetings_booked, target: 400,
     unit: count, due: 2027-12-31, parent: G1}
  - {id: G3, level: operational, title: Win rate, metric: win_rate, target: 0.3, unit: rate,
     due: 2027-12-31, parent: G1, needs_decision: target}
kpis:
  - {id: bookings, target: "800000.00"}
  - {id: meetings_booked, target: 400}
  - {id: win_rate, target: 0.3, proposed_target: 0.35, needs_decision: target}
target_market:
  segments:
    - {id: enterprise, name: Enterprise, status: draft}
    - {id: smb, name: SMB}
initiatives:
  - {id: I1, title: Referrals, owner: Li, deadline: 2027-06-30, kpi: win_rate,
     expected_lift: 0.02, needs_decision: continue}
actions:
  - {id: A1, title: Ask customers, owner: Li, deadline: 2027-03-31, initiative: I1,
     needs_decision: deadline}
budget:
  - {id: B1, category: programs, amount: "50000.00", needs_decision: amount}
sub_plans:
  - {path: outbound, target: "300000.00", needs_decision: target}
"""
DECIDED = re.sub(r",\s*(needs_decision: \w+|status: draft)", "", MARKED)
"""The same plan once every decision is made: markers deleted, the draft adopted."""
TODAY = "2027-01-10"
UNITS = {"bookings": "money", "meetings_booked": "count", "win_rate": "rate"}
TYPES = {"bookings": "lagging", "meetings_booked": "leading", "win_rate": "lagging"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("SALESPLAN_AUTHOR", "Li Wei")
    monkeypatch.chdir(tmp_path)


def _plan(text: str) -> Plan:
    checked = check_text(text, "plan.yaml", None)
    assert checked.plan is not None, checked.issues
    return checked.plan


def test_every_marked_item_and_draft_is_found_with_its_values() -> None:
    found = [
        (d.path, d.id, d.decide, d.old, d.proposed, d.unit)
        for d in open_decisions(_plan(MARKED), UNITS)
    ]
    assert found == [
        ("goals[0]", "G1", "target", Decimal("800000.00"), Decimal("880000.00"), "money"),
        ("goals[2]", "G3", "target", Decimal("0.3"), None, "rate"),
        ("kpis[2]", "win_rate", "target", Decimal("0.3"), Decimal("0.35"), "rate"),
        # `continue` shows the deadline the item carries
        ("initiatives[0]", "I1", "continue", dt.date(2027, 6, 30), None, "date"),
        ("actions[0]", "A1", "deadline", dt.date(2027, 3, 31), None, "date"),
        ("budget[0]", "B1", "amount", Decimal("50000.00"), None, "money"),
        ("sub_plans[0]", "outbound", "target", Decimal("300000.00"), None, "money"),
        ("target_market.segments[0]", "enterprise", "status", "draft", None, None),
    ]
    assert open_decisions(_plan(DECIDED), UNITS) == []


def test_old_plans_load_unchanged_and_status_is_checked() -> None:
    assert [s.status for s in _plan(DECIDED).target_market.segments] == ["adopted", "adopted"]
    bad = check_text(MARKED.replace("status: draft", "status: final"), "plan.yaml", None)
    assert bad.plan is None
    assert [i.path for i in bad.issues] == ["target_market.segments[0].status"]


def test_steps_are_not_done_while_decisions_wait() -> None:
    def states(text: str) -> dict[str, tuple[str, list[str]]]:
        steps = process_status(
            _plan(text),
            DataFacts(),
            today=dt.date(2027, 1, 10),
            kpi_units=UNITS,
            kpi_types=TYPES,
        )
        return {s.key: (s.state, [n.msgid for n in s.notes]) for s in steps}

    decided, marked = states(DECIDED), states(MARKED)
    for key in ("define_goals", "choose_metrics", "propose_initiatives", "list_actions"):
        assert decided[key][0] == "done", key
        assert marked[key] == ("partial", ["Waiting for decisions (needs_decision): {paths}."])
    # without CRM data the assessment is missing either way; the draft is named beside it
    assert decided["assess_current_state"] == ("missing", ["Needs CRM data."])
    assert marked["assess_current_state"] == (
        "missing",
        ["Needs CRM data.", "Segments drafted from the data, not yet adopted: {paths}."],
    )


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = _run(capsys, *argv, "--format", "json", "--today", TODAY)
    assert code == 0, err
    return dict(json.loads(out))


def _workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> str:
    ws, source = tmp_path / "ws", tmp_path / "marked.yaml"
    source.write_text(text, "utf-8")
    code, _, err = _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "r")
    assert code == 0, err
    return str(ws)


def test_status_json_and_table_in_english(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = _workspace(tmp_path, capsys, MARKED)
    status = _json(capsys, "-w", ws, "plan", "status")["plan_status"]
    decisions = status["decisions"]
    assert [d["path"] for d in decisions] == [
        "goals[0]", "goals[2]", "kpis[2]", "initiatives[0]", "actions[0]", "budget[0]",
        "sub_plans[0]", "target_market.segments[0]",
    ]  # fmt: skip
    assert {d["severity"] for d in decisions} == {"warning"}
    assert decisions[0] == {
        "severity": "warning",
        "path": "goals[0]",
        "section": "goals",
        "id": "G1",
        "code": "needs_decision",
        "decide": "target",
        "old": "800000.00",
        "proposed": "880000.00",
        "message": "Goal G1: decide the target (now 800000.00, proposed 880000.00), "
        "then delete needs_decision.",
    }
    assert decisions[3]["message"] == (
        "Initiative I1: decide whether to continue it (now 2027-06-30), then delete needs_decision."
    )
    assert decisions[7]["message"] == (
        "Segment enterprise is a draft from the data; review it and set status: adopted."
    )
    steps = {s["step"]: s for s in status["steps"]}
    assert steps["define_goals"]["state"] == "partial"
    assert steps["define_goals"]["notes"] == [
        "Waiting for decisions (needs_decision): goals[0], goals[2], budget[0], sub_plans[0]."
    ]
    code, out, _ = _run(capsys, "-w", ws, "plan", "status", "--today", TODAY)
    assert code == 0 and "Decisions pending" in out
    assert "Set this year's target" in out and "Continue or drop" in out
    # money in the table as money: 800000.00 CNY shown with grouping
    assert "800,000" in out and "880,000" in out


def test_validate_warns_in_problems_and_stays_valid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "marked.yaml"
    source.write_text(MARKED, "utf-8")
    ws = str(tmp_path / "ws")
    report = _json(capsys, "-w", ws, "plan", "validate", str(source))["validation"]
    assert report["valid"] is True  # warnings never stop an import
    problems = [(p["severity"], p["path"]) for p in report["problems"]]
    assert ("warning", "kpis[2]") in problems and ("warning", "budget[0]") in problems
    assert len(report["decisions"]) == 8
    kpi = next(p for p in report["problems"] if p["path"] == "kpis[2]")
    assert kpi["message"] == (
        "KPI win_rate: decide the target (now 0.3, proposed 0.35), then delete needs_decision."
    )
    budget = next(d for d in report["decisions"] if d["path"] == "budget[0]")
    assert (budget["old"], budget["proposed"]) == ("50000.00", None)
    code, out, _ = _run(capsys, "-w", ws, "plan", "validate", str(source), "--today", TODAY)
    assert code == 0 and "sub_plans[0]" in out and "Budget line B1: decide the amount" in out
    decided = tmp_path / "decided.yaml"
    decided.write_text(DECIDED, "utf-8")
    clean = _json(capsys, "-w", ws, "plan", "validate", str(decided))["validation"]
    assert clean["decisions"] == [] and clean["problems"] == []


def test_chinese_status_and_validate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = _workspace(tmp_path, capsys, MARKED)
    zh = ("--lang", "zh", "-w", ws)
    status = _json(capsys, *zh, "plan", "status")["plan_status"]
    assert status["decisions"][0]["message"] == (
        "目标 G1：请决定目标值（当前 800000.00，建议 880000.00），决定后删除 needs_decision。"
    )
    assert status["decisions"][7]["message"] == (
        "细分市场 enterprise 是根据数据生成的草稿；请审阅后设置 status: adopted。"
    )
    notes = {s["step"]: s["notes"] for s in status["steps"]}
    assert notes["list_actions"] == ["等待决定（needs_decision）：actions[0]。"]
    code, out, _ = _run(capsys, *zh, "plan", "status", "--today", TODAY)
    assert code == 0 and "待决定事项" in out and "设定今年的目标" in out
    code, out, _ = _run(capsys, *zh, "plan", "validate", "--today", TODAY)
    assert code == 0 and "警告" in out and "行动项 A1：请决定截止日期" in out


def test_after_roll_forward_status_lists_what_roll_forward_marked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The roll-forward's own `decisions[]` is the independent reference; deleting every
    marker (the user's decision) empties the list."""
    from test_plan_roll_forward_cli import PLAN as OLD
    from test_plan_roll_forward_cli import _seed

    ws = tmp_path / "ws"
    _seed(ws)
    source = tmp_path / "plan-2026.yaml"
    source.write_text(OLD, "utf-8")
    assert _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "first")[0] == 0
    code, out, err = _run(
        capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2027", "-f", "json"
    )
    assert code == 0, err
    marked = json.loads(out)["plan_roll_forward"]["decisions"]
    status = _json(capsys, "-w", str(ws), "plan", "status")["plan_status"]
    keys = ("section", "id", "decide", "old", "proposed")
    assert [{k: d[k] for k in keys} for d in status["decisions"]] == marked
    text = (ws / "plan.yaml").read_text("utf-8")
    decided = re.sub(r",?\s*needs_decision: \w+", "", text)
    assert "needs_decision" not in decided
    (ws / "plan.yaml").write_text(decided, "utf-8")
    assert _run(capsys, "-w", str(ws), "plan", "import", "--reason", "decided")[0] == 0
    assert _json(capsys, "-w", str(ws), "plan", "status")["plan_status"]["decisions"] == []
