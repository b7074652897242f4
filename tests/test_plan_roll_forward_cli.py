"""`salesplan plan roll-forward`: the new plan file, the stored version, the JSON summary and
the refusals, on a workspace with six hand-made deals (figures worked out by hand)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from ruamel.yaml import YAML

from salesplan.cli import run
from salesplan.config import Settings
from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.services.store import open_store
from salesplan.storage import records

PLAN = """\
# Our plan: comments survive the roll-forward
type: annual
year: 2026
language: en
title: Plan 2026
currency: CNY
starts: 2026-01-01
ends: 2026-12-31
goals:
  - id: G1
    level: top
    title: Bookings
    metric: bookings
    target: "800000.00" # agreed with finance
    unit: money
    due: 2026-12-31
  - {id: G2, level: operational, title: Enterprise, metric: bookings, target: "250000.00",
     unit: money, due: 2026-12-31, parent: G1, segment: enterprise}
kpis:
  - {id: bookings, target: "800000.00"}
  - {id: win_rate, target: 0.5}
target_market:
  segments: [{id: enterprise, name: Enterprise}]
initiatives:
  - {id: I1, title: Demo script, owner: Anna, deadline: 2026-05-31, status: done}
  - {id: I2, title: Referrals, owner: Li, deadline: 2026-10-31, status: in_progress}
actions:
  - {id: A1, title: Write script, owner: Anna, deadline: 2026-03-01, status: done, initiative: I1}
  - {id: A2, title: Ask customers, owner: Li, deadline: 2026-11-15, initiative: I2}
reviews:
  - {id: R1, kind: monthly, cadence: monthly, next_on: 2026-01-31}
"""

D = dt.date
# id, status, created, closed, amount (yuan), segment
DEALS = [
    ("o1", "won", D(2025, 12, 1), D(2026, 2, 10), 100_000, "smb"),
    ("o2", "won", D(2026, 1, 5), D(2026, 3, 20), 50_000, "smb"),
    ("o3", "won", D(2026, 2, 1), D(2026, 5, 15), 300_000, "enterprise"),
    ("o4", "won", D(2026, 9, 1), D(2026, 12, 20), 150_000, "smb"),
    ("o5", "lost", D(2026, 3, 1), D(2026, 6, 1), 200_000, "smb"),
    ("o6", "open", D(2027, 1, 5), None, 80_000, "smb"),  # the data's as-of date: 5 Jan 2027
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("SALESPLAN_AUTHOR", "Li Wei")
    monkeypatch.chdir(tmp_path)


def _seed(workspace: Path) -> None:
    frame = conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": [d[0] for d in DEALS],
                "status": [d[1] for d in DEALS],
                "created_on": [d[2] for d in DEALS],
                "closed_on": [d[3] for d in DEALS],
                "amount_minor": [d[4] * 100 for d in DEALS],
                "segment": [d[5] for d in DEALS],
                "currency": ["CNY"] * len(DEALS),
                "stage": [
                    {"won": "closed_won", "lost": "closed_lost"}.get(d[1], "demo") for d in DEALS
                ],
                "stage_code": [{"won": 90, "lost": 91}.get(d[1], 40) for d in DEALS],
            },
            schema_overrides={"closed_on": pl.Date},
        ),
    )
    engine = open_store(Settings(workspace=workspace))
    try:
        with engine.begin() as connection:
            records.replace_stages(connection, DEFAULT_STAGES)
            batch = records.create_batch(
                connection,
                kind="opportunity",
                source="deals.csv",
                as_of=D(2027, 1, 5),
                row_count=frame.height,
            )
            records.write_records(connection, RecordKind.OPPORTUNITY, frame, batch)
    finally:
        engine.dispose()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_roll_forward_writes_stores_and_summarises(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    _seed(ws)
    source = tmp_path / "plan-2026.yaml"
    source.write_text(PLAN, "utf-8")
    assert _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "first")[0] == 0

    code, _, err = _run(capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2026")
    assert code == 1 and "must be after the plan's year 2026" in err
    code, _, err = _run(
        capsys, "-w", str(ws), "--lang", "zh", "plan", "roll-forward", "--year", "2025"
    )
    assert code == 1 and "新计划的年份 2025 必须晚于当前计划的年份 2026" in err

    code, out, err = _run(
        capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2027",
        "--reason", "yearly SOP", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    assert doc["as_of"] == "2027-01-05" and doc["warnings"] == []
    body = doc["plan_roll_forward"]
    assert (body["from"]["number"], body["to"]["number"]) == (1, 2)
    assert body["to"]["reason"] == "yearly SOP" and body["to"]["author"] == "Li Wei"
    assert (body["from_year"], body["year"]) == (2026, 2027)
    assert body["file"] == str(ws / "plan-2027.yaml")
    assert body["dropped"] == [
        {"section": "initiatives", "id": "I1"},
        {"section": "actions", "id": "A1"},
    ]
    decide = {(d["section"], d["id"]): d for d in body["decisions"]}
    # G1, G2, bookings, win_rate targets; I2 and A2 deadlines (before 2027)
    assert sorted(decide) == [
        ("actions", "A2"),
        ("goals", "G1"),
        ("goals", "G2"),
        ("initiatives", "I2"),
        ("kpis", "bookings"),
        ("kpis", "win_rate"),
    ]
    assert decide["goals", "G1"]["old"] == "800000.00"
    assert decide["initiatives", "I2"] == {
        "section": "initiatives", "id": "I2", "decide": "deadline",
        "old": "2026-10-31", "proposed": None,
    }  # fmt: skip
    lessons = body["lessons"]
    rows = {r["id"]: r for r in lessons["results"]}
    # won in 2026: Q1 100,000 + 50,000; Q2 300,000; Q3 none; Q4 150,000 = 600,000
    assert rows["2026"]["actual"] == "600000.00"
    assert rows["2026"]["shortfall"] == "200000.00"  # 800,000 − 600,000
    assert rows["2026"]["missed"] is True
    actual = {q: rows[f"2026Q{q}"]["actual"] for q in (1, 2, 3, 4)}
    assert actual == {1: "150000.00", 2: "300000.00", 3: "0.00", 4: "150000.00"}
    # the quarter targets split the 800,000 target; each shortfall is target − actual
    targets = [float(rows[f"2026Q{q}"]["target"]) for q in (1, 2, 3, 4)]
    assert sum(targets) == pytest.approx(800000.00)
    for q in (1, 2, 3, 4):
        row = rows[f"2026Q{q}"]
        assert float(row["shortfall"]) == pytest.approx(float(row["target"]) - float(row["actual"]))
    # enterprise goal: o3 300,000 against 250,000 → 50,000 above target
    assert (rows["G2"]["actual"], rows["G2"]["shortfall"], rows["G2"]["missed"]) == (
        "300000.00",
        "-50000.00",
        False,
    )
    kpis = {k["id"]: k for k in lessons["kpis"]}
    # bookings 600,000 ÷ 800,000 = 0.75 < 0.80: off track; win rate 4 won of 5 closed = 0.8
    assert (kpis["bookings"]["actual"], kpis["bookings"]["state"]) == ("600000.00", "off_track")
    assert (kpis["win_rate"]["actual"], kpis["win_rate"]["state"]) == ("0.8", "on_track")

    text = (ws / "plan-2027.yaml").read_text("utf-8")
    assert (ws / "plan.yaml").read_text("utf-8") == text  # the latest version is in plan.yaml
    assert "# Our plan: comments survive the roll-forward" in text
    assert "# agreed with finance" in text
    assert "year: 2027" in text and "title: Plan 2027" in text and "due: 2027-12-31" in text
    assert 'baseline: "600000.00"' in text  # last year's actual, money quoted
    assert "needs_decision: target" in text and "needs_decision: deadline" in text
    assert "next_on: 2027-01-31" in text
    written = YAML(typ="safe").load(text)
    assert [i["id"] for i in written["initiatives"]] == ["I2"]
    assert [a["id"] for a in written["actions"]] == ["A2"]
    assert written["goals"][0]["target"] == "800000.00"  # last year's, not adopted
    assert written["lessons"]["year"] == 2026

    code, out, _ = _run(capsys, "-w", str(ws), "plan", "log", "--format", "json")
    assert json.loads(out)["plan_log"][0]["reason"] == "yearly SOP"

    # a rolled plan rolls again: 2027's lessons replace 2026's, markers are set afresh
    code, out, err = _run(capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2028")
    assert code == 0, err
    assert "stored it as plan version 3 (2028)" in out
    again = YAML(typ="safe").load((ws / "plan-2028.yaml").read_text("utf-8"))
    assert again["lessons"]["year"] == 2027 and again["starts"] == dt.date(2028, 1, 1)
    # 2027 had no closed deal by 5 Jan 2027: the year row shows 0 so far, not complete
    year_row = again["lessons"]["results"][0]
    assert (year_row["id"], year_row["actual"], year_row["complete"]) == ("2027", "0.00", False)
    assert again["goals"][0]["needs_decision"] == "target"
    assert again["goals"][0]["baseline"] is None or "baseline" not in again["goals"][0]

    # data that ends (5 Jan 2027) before the 2028 plan began: no KPI is judged on it
    code, out, err = _run(
        capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2029", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert [w["code"] for w in doc["warnings"]] == ["data_before_year"]
    states = [
        (k["id"], k["actual"], k["state"]) for k in doc["plan_roll_forward"]["lessons"]["kpis"]
    ]
    assert states == [("bookings", None, "no_data"), ("win_rate", None, "no_data")]


def test_an_existing_file_needs_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    source = tmp_path / "p.yaml"
    source.write_text(PLAN, "utf-8")
    assert _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "first")[0] == 0
    taken = tmp_path / "next.yaml"
    taken.write_text("keep me", "utf-8")
    argv = ["-w", str(ws), "plan", "roll-forward", "--year", "2027", "--out", str(taken)]
    code, _, err = _run(capsys, *argv)
    assert code == 1 and "already exists" in err and "--force" in err
    assert taken.read_text("utf-8") == "keep me"
    code, out, err = _run(capsys, *argv, "--force")
    assert code == 0, err
    assert "stored it as plan version 2 (2027)" in out
    # without data: G1, G2, 2 KPIs, I2, A2 = 6 decisions, no lessons figures
    assert "6 items need a decision" in out
    assert "year: 2027" in taken.read_text("utf-8")
    code, _, err = _run(capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2027")
    assert code == 1 and "must be after the plan's year 2027" in err
    # out of the plan schema's range (and of Python's dates): a clean error, not a crash
    code, _, err = _run(capsys, "-w", str(ws), "plan", "roll-forward", "--year", "10000")
    assert code == 1 and "--year" in err and "2100" in err
    # a path that cannot be written stores no version
    argv = ["-w", str(ws), "plan", "roll-forward", "--year", "2028", "--out", str(tmp_path)]
    code, _, err = _run(capsys, *argv, "--force")
    assert code == 1 and "Traceback" not in err
    code, out, _ = _run(capsys, "-w", str(ws), "plan", "log", "--format", "json")
    assert [v["version"] for v in json.loads(out)["plan_log"]] == [2, 1]
    code, out, err = _run(
        capsys, "-w", str(ws), "plan", "roll-forward", "--year", "2028", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert [w["code"] for w in doc["warnings"]] == ["no_data"]
    assert doc["as_of"] is None and doc["plan_roll_forward"]["lessons"]["results"] == []


@pytest.mark.parametrize(
    "command", [["plan", "roll-forward", "--year", "2027"], ["plan", "diff", "1"]]
)
def test_commands_without_a_csv_form_refuse_it_before_doing_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    ws = tmp_path / "ws"
    source = tmp_path / "p.yaml"
    source.write_text(PLAN, "utf-8")
    assert _run(capsys, "-w", str(ws), "plan", "import", str(source), "--reason", "first")[0] == 0
    code, out, err = _run(capsys, "-w", str(ws), *command, "--format", "csv")
    assert code == 1 and out == ""
    assert "Unknown output format csv; use one of: table, json." in err
    assert not (ws / "plan-2027.yaml").exists()
    code, _, err = _run(capsys, "-w", str(ws), "plan", "log", "--format", "xml")
    assert code == 1 and "use one of: table, json, csv." in err
