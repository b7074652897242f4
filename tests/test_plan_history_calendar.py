"""`salesplan calendar`: review cadence and deadlines as RFC 5545 iCalendar, rules tested."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import run
from salesplan.domain.plan import Plan
from salesplan.services.plan_history import (
    calendar_events,
    ics_escape,
    ics_fold,
    ics_text,
    review_days,
)

PLAN = """\
type: annual
year: 2027
language: en
title: Plan 2027, East; "core"
reviews:
  - {id: R1, kind: monthly, cadence: monthly, owner: Anna, next_on: 2027-01-31}
  - {id: R2, kind: quarterly, cadence: quarterly, owner: Li Wei, agenda: [targets, gaps]}
initiatives:
  - {id: I1, title: "Demo script, v2; \\\\new\\\\", owner: Li Wei, deadline: 2027-03-31}
  - {id: I2, title: No deadline, owner: Anna}
actions:
  - id: A1
    title: 为华东区的每一位客户经理准备一份完整的演示脚本并在季度复盘会议之前完成全部培训和考核
    owner: 王芳
    deadline: 2027-02-20
"""
STAMP = dt.datetime(2026, 11, 28, 7, 40, 5, tzinfo=dt.UTC)


def say(msgid: str, **params: Any) -> str:
    return msgid.format(**params)


def _plan() -> Plan:
    from salesplan.services.plan_store import validated

    checked = validated(PLAN, "test")
    assert checked.plan is not None
    return checked.plan


def test_review_days_over_the_plan_year() -> None:
    year = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    # monthly from 31 January: the 31st, clamped to the month's last day (28 Feb, 30 Apr, …)
    monthly = review_days("monthly", *year, dt.date(2027, 1, 31))
    assert [d.day for d in monthly] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    # quarterly from 1 January: Jan, Apr, Jul, Oct
    assert review_days("quarterly", *year) == [dt.date(2027, m, 1) for m in (1, 4, 7, 10)]
    # weekly from Fri 1 Jan 2027: 1 Jan + 52 × 7 days = 31 Dec 2027 → 53 meetings
    assert len(review_days("weekly", *year)) == 53
    # biweekly from 10 Dec: 10 and 24 Dec; 7 Jan 2028 is after the year
    assert review_days("biweekly", *year, dt.date(2027, 12, 10)) == [
        dt.date(2027, 12, 10),
        dt.date(2027, 12, 24),
    ]
    assert review_days("yearly", *year) == [dt.date(2027, 1, 1)]
    # next_on outside the period: the series starts at the period start
    assert review_days("yearly", *year, dt.date(2026, 5, 1)) == [dt.date(2027, 1, 1)]


def test_text_escaping() -> None:
    assert ics_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_folding_at_75_octets_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "x" * 200
    physical = ics_fold(line).split("\r\n")
    # 75 octets, then " " + 74 octets, …: 212 = 75 + 74 + 63
    assert [len(p) for p in physical] == [75, 75, 64]
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(physical)) == line
    chinese = "SUMMARY:" + "华" * 40  # 8 + 120 octets
    folded = ics_fold(chinese).split("\r\n")
    sizes = [len(p.encode("utf-8")) for p in folded]
    # 8 + 22×3 = 74 (a 23rd character would make 77); then " " + 18×3 = 55
    assert sizes == [74, 55]
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == chinese
    assert ics_fold("SHORT") == "SHORT"


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # only CRLF line endings
    physical = text[:-2].split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    return text[:-2].replace("\r\n ", "").split("\r\n")


def test_calendar_document() -> None:
    events = calendar_events(_plan(), say)
    # R1 12 monthly + R2 4 quarterly + I1 + A1 (I2 has no deadline) = 18
    assert len(events) == 18
    lines = _unfold(ics_text(events, "Plan 2027, East", STAMP))
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//salesplan//plan calendar//EN"]
    assert "X-WR-CALNAME:Plan 2027\\, East" in lines
    assert lines[-1] == "END:VCALENDAR"
    blocks: list[list[str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            blocks.append([])
        elif blocks and line != "END:VEVENT" and "END:VEVENT" not in blocks[-1]:
            blocks[-1].append(line)
    assert len(blocks) == 18 and lines.count("END:VEVENT") == 18
    uids = []
    for block in blocks:
        names = [b.split(":", 1)[0].split(";", 1)[0] for b in block]
        assert names.count("UID") == 1 and names.count("DTSTAMP") == 1
        assert "DTSTAMP:20261128T074005Z" in block
        uids += [b for b in block if b.startswith("UID:")]
    assert len(set(uids)) == 18
    initiative = next(b for b in blocks if "UID:initiative-I1-2027@salesplan" in b)
    assert "DTSTART;VALUE=DATE:20270331" in initiative
    assert "DTEND;VALUE=DATE:20270401" in initiative  # all day: the end is exclusive
    assert "SUMMARY:Initiative I1 due: Demo script\\, v2\\; \\\\new\\\\" in initiative
    assert "DESCRIPTION:DRI: Li Wei" in initiative
    action = next(b for b in blocks if "UID:action-A1-2027@salesplan" in b)
    assert "DESCRIPTION:DRI: 王芳" in action
    quarterly = next(b for b in blocks if "UID:review-R2-20270401-2027@salesplan" in b)
    assert "DESCRIPTION:DRI: Li Wei\\ntargets\\ngaps" in quarterly
    assert "SUMMARY:Plan review: Quarterly business review (Quarterly)" in quarterly


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SALESPLAN_DATABASE_URL", "SALESPLAN_WORKSPACE", "SALESPLAN_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESPLAN_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)


def test_cli_writes_the_ics_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert run(["-w", ws, "calendar"]) == 1
    assert "No plan yet" in capsys.readouterr().err
    source = tmp_path / "p.yaml"
    source.write_text(PLAN, "utf-8")
    assert run(["-w", ws, "plan", "import", str(source), "--reason", "cal"]) == 0
    capsys.readouterr()
    out = tmp_path / "out" / "plan.ics"
    assert run(["-w", ws, "calendar", "--out", str(out)]) == 0
    assert "Wrote 18 events from plan version 1" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert _unfold(data.decode("utf-8")).count("BEGIN:VEVENT") == 18
