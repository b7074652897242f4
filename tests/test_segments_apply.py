"""`salesplan segments --apply`: the proposed ICP merged into a hand-made plan as a draft,
and the CLI storing it as a new plan version (or refusing without a plan)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from salesplan.analytics.rates import rate
from salesplan.cli import run
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.services.demo import load_demo_data
from salesplan.services.plan_store import dump_document, parse_document
from salesplan.services.segments import Candidate, IcpChoice, SegmentsReport
from salesplan.services.segments_apply import merge_icp

PLAN = """\
target_market:
  segments:
    - id: strategic          # our own words
      name: Strategic accounts
      geography: [north_china]
      industries: []
      priority: 2
  personas: []
"""


def _candidate(dimension: str, value: str, won: int, n: int) -> Candidate:
    return Candidate(dimension, value, rate(won, n), None, None, None, 0, None, None, 1.0, 1.0, 1)


def _report(*choices: tuple[str, str, int, int]) -> SegmentsReport:
    period = Period("2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "year")
    candidates = [_candidate(d, v, won, n) for d, v, won, n in choices]
    icp = [IcpChoice(d, v, 1.0, n, n < 30) for d, v, _, n in choices]
    by = [c[0] for c in choices]
    return SegmentsReport(period, dt.date(2025, 12, 31), "CNY", by, candidates, icp)


def test_merge_keeps_what_the_user_filled() -> None:
    document = parse_document(PLAN, "plan.yaml")
    report = _report(
        ("segment", "strategic", 20, 50),
        ("region", "east_china", 40, 100),
        ("industry", "media", 9, 12),
        ("company_size", "1000+", 30, 60),
        ("source", "referral", 25, 40),
    )
    applied = merge_icp(document, report, day=dt.date(2026, 11, 28), reason="adopt the ICP")
    assert applied.segment_id == "strategic" and not applied.created
    # geography and priority were filled by the user: kept; industries was an empty list and
    # company_size missing: written. source has no field in a segment.
    assert {k.field: k.value for k in applied.kept} == {"geography": ["north_china"], "priority": 2}
    assert {w.field: w.value for w in applied.written} == {
        "industries": ["media"],
        "company_size": "1000+",
    }
    assert [c.dimension for c in applied.not_stored] == ["source"]
    text = dump_document(document)
    assert "geography: [north_china]" in text and "priority: 2" in text
    assert "industries: [media]" in text
    # The evidence: win rate 9/12 = 75.0 %, n = 12, and its Wilson interval in the comment.
    low, high = rate(9, 12).low, rate(9, 12).high
    assert low is not None and high is not None
    assert f"win rate 75.0% (n = 12, 95% {low:.1%}–{high:.1%})" in text
    assert "low confidence" in text  # n = 12 < 30
    assert "draft ICP from `salesplan segments --apply`, 2026-11-28: adopt the ICP" in text
    assert "# our own words; draft ICP" in text  # the user's comment stays first
    assert "source referral" in text and "kept the plan's geography, priority" in text
    # the entry is a draft until a person adopts it; the mark goes right after the name
    assert "name: Strategic accounts\n      status: draft\n" in text


def test_an_icp_without_a_segment_gets_its_own_entry() -> None:
    document = parse_document(PLAN, "plan.yaml")
    report = _report(("region", "east_china", 40, 100))
    applied = merge_icp(document, report, day=dt.date(2026, 11, 28), reason="r")
    assert applied.created and applied.segment_id == "icp"
    entry = document["target_market"]["segments"][1]
    assert entry["id"] == "icp" and entry["from_data"] is True
    assert list(entry["geography"]) == ["east_china"] and entry["priority"] == 1
    assert list(entry)[:3] == ["id", "name", "status"] and entry["status"] == "draft"
    # Applying again changes nothing: every field is now filled, and a status the user
    # set after review stays.
    entry["status"] = "adopted"
    again = merge_icp(document, report, day=dt.date(2026, 11, 28), reason="r")
    assert not again.created and again.written == [] and entry["status"] == "adopted"
    # Writing a field into an adopted entry makes it a draft again.
    more = merge_icp(
        document, _report(("industry", "media", 9, 12)), day=dt.date(2026, 11, 28), reason="r"
    )
    assert [w.field for w in more.written] == ["industries"] and entry["status"] == "draft"


def test_cli_applies_once_and_refuses_without_a_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    ws = tmp_path / "ws"
    settings = Settings(workspace=ws, database_url=None, locale="en", currency="CNY")
    load_demo_data(settings, size="small", seed=7, as_of=dt.date(2026, 11, 28))
    base = ["-q", "-w", str(ws), "segments", "--by", "segment,company_size,source", "--apply"]
    capsys.readouterr()
    assert run(base) == 1
    err = capsys.readouterr().err
    assert "plan new" in err and "Traceback" not in err
    assert run(["-q", "-w", str(ws), "plan", "new", "--reason", "start"]) == 0
    capsys.readouterr()
    assert run([*base, "--reason", "ICP from 2026 data", "-f", "json"]) == 0
    applied = json.loads(capsys.readouterr().out)["segments"]["applied"]
    assert applied["version"] == 2 and applied["reason"] == "ICP from 2026 data"
    # `plan new` filled geography, industries and priority from the data: kept.
    assert {k["field"] for k in applied["kept"]} >= {"priority"}
    assert [w["field"] for w in applied["written"]] == ["company_size"]
    assert [n["dimension"] for n in applied["not_stored"]] == ["source"]
    text = (ws / "plan.yaml").read_text("utf-8")
    assert "draft ICP from `salesplan segments --apply`" in text
    # The stored plan holds the draft as data: plan validate warns about it.
    assert run(["-q", "-w", str(ws), "plan", "validate", "-f", "json"]) == 0
    drafts = [
        d
        for d in json.loads(capsys.readouterr().out)["validation"]["decisions"]
        if d["code"] == "draft_segment"
    ]
    assert len(drafts) == 1 and drafts[0]["id"] == applied["segment_id"]
    assert drafts[0]["path"].startswith("target_market.segments[")
    # A second apply has nothing left to write: no new version.
    assert run([*base, "-f", "json"]) == 0
    again = json.loads(capsys.readouterr().out)["segments"]["applied"]
    assert again["version"] is None and again["written"] == []
    assert run(["-q", "-w", str(ws), "plan", "log", "-f", "json"]) == 0
    assert "ICP from 2026 data" in capsys.readouterr().out
    # Edits to plan.yaml that are not stored yet are never overwritten.
    (ws / "plan.yaml").write_text(text + "\n# my edit\n", "utf-8")
    assert run(base) == 1
    assert "plan import" in capsys.readouterr().err
