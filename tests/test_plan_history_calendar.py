"""`salesplan calendar`: review cadence and deadlines as iCalendar, read back with icalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

import icalendar
import pytest

from salesplan.cli import run
from salesplan.domain.plan import Plan
from salesplan.domain.plan_calendar import review_days
from salesplan.services.calendar import calendar_events, ics_bytes

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


def _events(data: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of an .ics file parsed by icalendar, by UID; checks the raw framing."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # only CRLF line endings
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded at 75 octets
    cal = icalendar.Calendar.from_ical(data)
    events = [cast(icalendar.Event, e) for e in cal.walk("VEVENT")]
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)  # UIDs are unique
    return by_uid


def _day(event: icalendar.Event, name: str) -> dt.date:
    value = event.decoded(name)
    assert type(value) is dt.date  # all-day: a DATE, not a DATE-TIME
    return value


def test_calendar_document() -> None:
    events = calendar_events(_plan(), say)
    # R1 12 monthly + R2 4 quarterly + I1 + A1 (I2 has no deadline) = 18
    assert len(events) == 18
    data = ics_bytes(events, 'Plan 2027, East; "core"', STAMP)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//salesplan//plan calendar//EN"
    assert str(cal["X-WR-CALNAME"]) == 'Plan 2027, East; "core"'  # escaped and read back
    parsed = _events(data)
    assert len(parsed) == 18
    for event in parsed.values():
        assert event.decoded("DTSTAMP") == STAMP
        # all day: DTEND is the day after DTSTART (exclusive)
        assert _day(event, "DTEND") == _day(event, "DTSTART") + dt.timedelta(days=1)
    initiative = parsed["initiative-I1-2027@salesplan"]
    assert _day(initiative, "DTSTART") == dt.date(2027, 3, 31)
    assert _day(initiative, "DTEND") == dt.date(2027, 4, 1)
    assert str(initiative["SUMMARY"]) == "Initiative I1 due: Demo script, v2; \\new\\"
    assert str(initiative["DESCRIPTION"]) == "DRI: Li Wei"
    # the escaped form is what the file holds: \ ; and , escaped
    assert b"SUMMARY:Initiative I1 due: Demo script\\, v2\\; \\\\new\\\\" in data
    action = parsed["action-A1-2027@salesplan"]
    assert _day(action, "DTSTART") == dt.date(2027, 2, 20)
    assert str(action["DESCRIPTION"]) == "DRI: 王芳"
    title = "为华东区的每一位客户经理准备一份完整的演示脚本并在季度复盘会议之前完成全部培训和考核"
    assert str(action["SUMMARY"]) == f"Action item A1 due: {title}"  # folded, read back whole
    quarterly = parsed["review-R2-20270401-2027@salesplan"]
    assert str(quarterly["DESCRIPTION"]) == "DRI: Li Wei\ntargets\ngaps"
    assert str(quarterly["SUMMARY"]) == ("Plan review: Quarterly business review (Quarterly)")
    # R2 quarterly from 1 Jan: 1 Jan, 1 Apr, 1 Jul, 1 Oct
    r2 = sorted(_day(e, "DTSTART") for u, e in parsed.items() if u.startswith("review-R2-"))
    assert r2 == [dt.date(2027, m, 1) for m in (1, 4, 7, 10)]
    # R1 monthly from 31 Jan: 12 meetings, the 31st clamped (28 Feb, 30 Apr, …)
    r1 = sorted(_day(e, "DTSTART") for u, e in parsed.items() if u.startswith("review-R1-"))
    assert [d.day for d in r1] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert "review-R1-20270228-2027@salesplan" in parsed


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
    parsed = _events(out.read_bytes())
    assert len(parsed) == 18
    assert _day(parsed["action-A1-2027@salesplan"], "DTSTART") == dt.date(2027, 2, 20)
    assert run(["-w", ws, "--lang", "zh", "calendar"]) == 0
    printed = _events(capsys.readouterr().out.encode("utf-8"))
    assert len(printed) == 18
    assert str(printed["initiative-I1-2027@salesplan"]["SUMMARY"]).startswith("举措 I1")
