"""`salesplan plan log|diff|revert` end to end, in-process, on a workspace with three versions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.errors import ConfigError
from salesplan.services.plan_history import parse_version, plan_log, revert_plan

V1 = """\
# plan 2027, first cut
type: annual
year: 2027
language: en
title: Plan 2027
goals:
  - {id: G1, level: top, title: Grow bookings, target: "120000000", unit: money}
actions:
  - {id: A1, title: Write questions, owner: Li Wei, deadline: 2027-02-20}
budget:
  - {id: B1, category: tools, amount: "50000.00"}
"""
V2 = V1.replace('target: "120000000"', 'target: "110000000"').replace('"50000.00"', '"48000.50"')
V3 = V2 + "reviews:\n  - {id: R1, kind: monthly, cadence: monthly, owner: Anna}\n"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_AUTHOR", "Li Wei")
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


@pytest.fixture
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A workspace with versions 1 (V1), 2 (V2: lower target, budget) and 3 (V3: a review)."""
    ws = tmp_path / "ws"
    source = tmp_path / "plan.yaml"
    for text, reason in ((V1, "first cut"), (V2, "Q1 slipped"), (V3, "monthly review")):
        source.write_text(text, "utf-8")
        code, _, err = _run(
            capsys, "-w", str(ws), "plan", "import", str(source), "--reason", reason
        )
        assert code == 0, err
    return ws


def test_log_lists_versions_newest_first(capsys: pytest.CaptureFixture[str], ws: Path) -> None:
    envelope = _json(capsys, "-w", str(ws), "plan", "log")
    rows = envelope["plan_log"]
    assert [(r["version"], r["author"], r["reason"]) for r in rows] == [
        (3, "Li Wei", "monthly review"),
        (2, "Li Wei", "Q1 slipped"),
        (1, "Li Wei", "first cut"),
    ]
    # the prefix of SHA-256 of V1's UTF-8 text, computed here with hashlib
    assert rows[2]["hash"] == hashlib.sha256(V1.encode()).hexdigest()[:12]
    assert envelope["warnings"] == []
    code, out, _ = _run(capsys, "-w", str(ws), "plan", "log", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["version"] for r in table] == ["3", "2", "1"]
    code, out, _ = _run(capsys, "-w", str(ws), "plan", "log")
    assert code == 0 and "Plan versions" in out and "Q1 slipped" in out


def test_diff_names_changes_by_id_with_exact_money(
    capsys: pytest.CaptureFixture[str], ws: Path
) -> None:
    envelope = _json(capsys, "-w", str(ws), "plan", "diff", "v1", "2")
    diff = envelope["plan_diff"]
    assert (diff["from"]["number"], diff["to"]["number"]) == (1, 2)
    assert diff["reason"] == "Q1 slipped"
    assert diff["changes"] == [
        {"path": "goals[G1].target", "change": "changed", "old": "120000000", "new": "110000000"},
        {"path": "budget[B1].amount", "change": "changed", "old": "50000.00", "new": "48000.50"},
    ]
    # B defaults to the latest (3): the review R1 is added as well
    latest = _json(capsys, "-w", str(ws), "plan", "diff", "1")["plan_diff"]
    assert latest["to"]["number"] == 3
    assert latest["changes"][-1] == {
        "path": "reviews[R1]",
        "change": "added",
        "old": None,
        "new": {"id": "R1", "kind": "monthly", "cadence": "monthly", "owner": "Anna"},
    }
    code, out, _ = _run(capsys, "-w", str(ws), "plan", "diff", "1", "2")
    assert code == 0
    assert "goals[G1].target" in out and "120000000" in out and "110000000" in out
    assert "reason of v2: Q1 slipped" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("plan", "diff", "x3"), "Invalid plan version x3"),
        (("plan", "diff", "1", "9"), "Plan version 9 does not exist"),
        (("plan", "diff", "1", "--format", "csv"), "Unknown output format csv"),
        (("plan", "revert", "1"), "--reason"),
        (("plan", "revert", "3", "--reason", "x"), "nothing to revert"),
    ],
)
def test_bad_input_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], ws: Path, argv: tuple[str, ...], fragment: str
) -> None:
    code, _, err = _run(capsys, "-w", str(ws), *argv)
    assert code == 1 and fragment in err and "Traceback" not in err


def test_revert_stores_a_new_version_with_the_old_text(
    capsys: pytest.CaptureFixture[str], ws: Path
) -> None:
    code, out, err = _run(capsys, "-w", str(ws), "plan", "revert", "v1", "--reason", "back")
    assert code == 0, err
    assert "Stored plan version 4 with the content of version 1" in out
    assert (ws / "plan.yaml").read_text("utf-8") == V1  # comment and quoting kept
    rows = _json(capsys, "-w", str(ws), "plan", "log")["plan_log"]
    assert [(r["version"], r["reason"]) for r in rows][:2] == [(4, "back"), (3, "monthly review")]
    assert rows[0]["hash"] == rows[3]["hash"]  # same content as version 1
    assert _json(capsys, "-w", str(ws), "plan", "diff", "1", "4")["plan_diff"]["changes"] == []


def test_revert_refuses_unimported_edits(capsys: pytest.CaptureFixture[str], ws: Path) -> None:
    plan = ws / "plan.yaml"
    plan.write_text(V3.replace("Grow bookings", "Grow East"), "utf-8")
    code, _, err = _run(capsys, "-w", str(ws), "plan", "revert", "1", "--reason", "back")
    assert code == 1 and "salesplan plan import --reason" in err
    assert "Grow East" in plan.read_text("utf-8")  # edits untouched
    envelope = _json(capsys, "-w", str(ws), "plan", "log")
    assert len(envelope["plan_log"]) == 3  # nothing stored
    assert [w["code"] for w in envelope["warnings"]] == ["modified"]


def test_services_directly(settings: Settings) -> None:
    assert parse_version("v12") == 12 and parse_version(" 3 ") == 3
    for bad in ("0", "v", "3.5", "-1"):
        with pytest.raises(ConfigError):
            parse_version(bad)
    with pytest.raises(ConfigError):
        plan_log(settings)  # no plan yet
    with pytest.raises(ConfigError):
        revert_plan(settings, 1, reason="x")
