"""`salesplan plan …` and `salesplan actions` end to end, in-process, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.demo import load_demo_data
from salesplan.services.targets import compute_targets

ACTIONS_PLAN = """\
# a small plan for the actions tests
type: annual
year: 2027
language: en
title: Actions
initiatives:
  - {id: I1, title: Demo script, owner: Li Wei, deadline: 2027-02-01, status: in_progress}
  - {id: I2, title: Partner program, owner: EMP-00002, deadline: 2027-05-01}
actions:
  - {id: A1, title: Write questions, owner: li wei, deadline: 2027-02-20, initiative: I1}
  - {id: A2, title: Train AEs, owner: Anna, deadline: 2027-03-15, initiative: I1}
  - {id: A3, title: Old task, owner: Li Wei, deadline: 2027-01-10, status: done}
  - {id: A4, title: Nobody's, initiative: I2}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SALESPLAN_DATABASE_URL",
        "SALESPLAN_WORKSPACE",
        "SALESPLAN_LOCALE",
        "SALESPLAN_AUTHOR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = _run(capsys, *argv, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def test_new_status_validate_on_an_empty_workspace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = str(tmp_path / "ws")
    code, out, _ = _run(capsys, "-w", ws, "plan", "new", "--type", "30-60-90", "--author", "Li")
    assert code == 0 and "Stored plan version 1" in out
    envelope = _json(capsys, "-w", ws, "plan", "status", "--today", "2026-12-01")
    status = envelope["plan_status"]
    assert status["version"]["author"] == "Li"
    assert status["plan_file"]["state"] == "in_sync"
    assert status["type"] == "30-60-90"
    states = {s["step"]: s["state"] for s in status["steps"]}
    assert states["collect_data"] == "missing"  # no CRM data
    assert states["involve_stakeholders"] == "done"
    assert envelope["warnings"] == []
    report = _json(capsys, "-w", ws, "plan", "validate")
    assert report["validation"]["valid"] is True
    goals = {g["goal"]: g for g in report["validation"]["goals"]}
    assert goals["G1"]["measurable"] is False  # no data: no target filled


def test_drift_is_reported_and_import_reconciles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    _run(capsys, "-w", str(ws), "plan", "new")
    plan = ws / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("Grow bookings", "Grow East"), "utf-8")
    status = _json(capsys, "-w", str(ws), "plan", "status")
    assert status["plan_status"]["plan_file"]["state"] == "modified"
    assert [w["code"] for w in status["warnings"]] == ["modified"]
    assert "salesplan plan import --reason" in status["warnings"][0]["message"]
    code, _, err = _run(capsys, "-w", str(ws), "plan", "import")
    assert code == 1 and "--reason" in err
    code, out, _ = _run(capsys, "-w", str(ws), "plan", "import", "--reason", "East")
    assert code == 0 and "Stored plan version 2" in out
    assert _json(capsys, "-w", str(ws), "plan", "status")["warnings"] == []


def test_invalid_import_names_paths_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    _run(capsys, "-w", str(ws), "plan", "new", "--lang", "zh")
    bad = tmp_path / "bad.yaml"
    text = (ws / "plan.yaml").read_text("utf-8")
    bad.write_text(text.replace("level: operational", "level: side", 1), "utf-8")
    code, out, err = _run(
        capsys, "--lang", "zh", "-w", str(ws), "plan", "import", str(bad), "--reason", "试试"
    )
    assert code == 1 and out == ""
    assert "goals[1].level：此处不允许 side；请使用以下之一：top, operational。" in err
    assert "Traceback" not in err
    code, out, _ = _run(capsys, "--lang", "zh", "-w", str(ws), "plan", "validate", str(bad))
    assert code == 1 and "goals[1].level" in out and "问题" in out


def test_plan_problems_are_translated_wherever_the_error_surfaces() -> None:
    """Any command that meets an invalid plan shows its problems in the user's language,
    not only `plan import`/`plan validate` (the CLI edge asks the error for its params)."""
    from salesplan.domain.plan_errors import PlanIssue
    from salesplan.i18n import translator
    from salesplan.services.plan_store import PlanInvalidError

    error = PlanInvalidError(
        "plan.yaml",
        [PlanIssue(path="goals[1].level", msgid="This field is required.", params={})],
    )
    zh = translator("zh_CN")
    text = zh.gettext(error.message_id, **error.localised_params(zh.gettext))
    assert text == "plan.yaml 不是有效的计划。发现问题：1 个。goals[1].level：此字段为必填项。"


def test_actions_filters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    source = tmp_path / "actions.yaml"
    source.write_text(ACTIONS_PLAN, "utf-8")
    code, _, err = _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "t")
    assert code == 0, err
    assert (ws / "plan.yaml").read_text("utf-8") == ACTIONS_PLAN  # written for editing
    day = ("--today", "2027-03-01")
    every = _json(capsys, "-w", str(ws), "actions", *day)["actions"]["items"]
    # deadline order, items without a deadline last
    assert [i["id"] for i in every] == ["A3", "I1", "A1", "A2", "I2", "A4"]
    mine = _json(capsys, "-w", str(ws), "actions", "--owner", "LI WEI", *day)["actions"]
    assert [i["id"] for i in mine["items"]] == ["A3", "I1", "A1"]  # case-insensitive
    late = _json(capsys, "-w", str(ws), "actions", "--overdue", *day)["actions"]["items"]
    # I1 due Feb 1 → 28 days late; A1 due Feb 20 → 9 days; A3 is done
    assert [(i["id"], i["days_overdue"]) for i in late] == [("I1", 28), ("A1", 9)]
    both = _json(capsys, "-w", str(ws), "actions", "--owner", "anna", "--overdue", *day)
    assert both["actions"]["items"] == []
    code, out, _ = _run(capsys, "--lang", "zh", "-w", str(ws), "actions", *day)
    assert code == 0 and "举措与行动项" in out and "行动项" in out


def test_actions_without_a_plan_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "-w", str(tmp_path / "ws"), "actions")
    assert code == 1 and "salesplan plan new" in err


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", "schema")
    assert code == 0 and json.loads(out)["title"] == "salesplan plan.yaml"


def test_new_plan_is_filled_from_the_demo_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "demo"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    code, _, err = _run(capsys, "-w", str(ws), "plan", "new", "--lang", "zh")
    assert code == 0, err
    from salesplan.services.plan_store import check_text

    plan = check_text((ws / "plan.yaml").read_text("utf-8"), "plan.yaml").plan
    assert plan is not None and plan.language == "zh" and plan.year == 2027
    expected = compute_targets(settings, year=2027, method="blend").target_minor
    assert plan.goals[0].target == minor_to_decimal(expected, "CNY")
    assert plan.goals[0].baseline is not None and plan.goals[0].baseline > Decimal(0)
    segments = plan.target_market.segments
    assert segments and all(s.from_data for s in segments)
    assert [s.priority for s in segments] == list(range(1, len(segments) + 1))
    ae = next(r for r in plan.team.roles if r.id == "ae")
    assert ae.members and all(m.startswith("EMP-") for m in ae.members)
    status = _json(capsys, "-w", str(ws), "plan", "status", "--today", "2026-11-28")["plan_status"]
    states = {s["step"]: s["state"] for s in status["steps"]}
    assert states["collect_data"] == "done"
    assert states["assess_current_state"] == "done"
    assert states["forecast"] == "done"
