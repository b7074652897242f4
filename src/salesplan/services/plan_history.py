"""The plan's history as use cases: list versions, compare two, revert to an older one.

History is append-only: `revert_plan` stores the old text as a NEW version (with its own
author, time and reason) and rewrites plan.yaml; nothing stored is changed or deleted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from salesplan.config import Settings
from salesplan.documents.labels import LABELS
from salesplan.domain.plan import Plan
from salesplan.domain.plan_diff import PlanChange, diff_plans
from salesplan.domain.plan_execution import ActionItem, Initiative
from salesplan.errors import ConfigError
from salesplan.i18n import N_
from salesplan.services.plan import PlanVersion, _refuse_unsaved_edits, write_plan_file
from salesplan.services.plan_store import (
    PlanDrift,
    check_reason,
    plan_drift,
    plan_path,
    resolve_author,
    store_version,
    stored_plan,
    validated,
)
from salesplan.services.store import open_store
from salesplan.storage import plans
from salesplan.storage.plans import StoredVersion

_VERSION = re.compile(r"^[vV]?(\d+)$")


def parse_version(value: str) -> int:
    """`3` or `v3` → 3; anything else is a ConfigError."""
    match = _VERSION.match(value.strip())
    if match is None or int(match.group(1)) < 1:
        raise ConfigError(
            "Invalid plan version {value}; write a number such as 3 or v3.", value=value
        )
    return int(match.group(1))


def _no_plan() -> ConfigError:
    return ConfigError("No plan yet: run `salesplan plan new` first.")


def _versions(settings: Settings) -> list[StoredVersion]:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return plans.list_versions(connection)
    finally:
        engine.dispose()


def _pick(versions: list[StoredVersion], number: int) -> StoredVersion:
    for version in versions:
        if version.number == number:
            return version
    raise ConfigError(
        "Plan version {version} does not exist; versions are 1 to {latest}.",
        version=number,
        latest=versions[-1].number,
    )


@dataclass(frozen=True, slots=True)
class PlanLog:
    """Versions newest first, and how plan.yaml relates to the latest."""

    versions: list[PlanVersion]
    drift: PlanDrift


def plan_log(settings: Settings) -> PlanLog:
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    return PlanLog(
        [PlanVersion.of(v) for v in reversed(versions)], plan_drift(settings, versions[-1])
    )


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Changes from version `old` to version `new` (whose reason explains them)."""

    old: PlanVersion
    new: PlanVersion
    changes: list[PlanChange]


def _model(version: StoredVersion) -> Plan:
    checked = validated(version.content, f"plan version {version.number}")
    assert checked.plan is not None
    return checked.plan


def plan_diff(settings: Settings, old: int, new: int | None = None) -> PlanDiff:
    """Section-aware diff of two stored versions; `new` defaults to the latest."""
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    before = _pick(versions, old)
    after = versions[-1] if new is None else _pick(versions, new)
    changes = diff_plans(_model(before), _model(after))
    return PlanDiff(PlanVersion.of(before), PlanVersion.of(after), changes)


@dataclass(frozen=True, slots=True)
class RevertResult:
    version: PlanVersion
    """The new version that holds the old text."""
    source: PlanVersion
    """The version whose text was restored."""


def revert_plan(
    settings: Settings,
    number: int,
    *,
    reason: str | None,
    author: str | None = None,
    at: dt.datetime | None = None,
) -> RevertResult:
    """Store version `number`'s exact text as the next version and write it to plan.yaml.

    Refuses when plan.yaml holds edits that are not stored (they would be lost)."""
    why = check_reason(reason)
    versions = _versions(settings)
    if not versions:
        raise _no_plan()
    source = _pick(versions, number)
    _refuse_unsaved_edits(plan_drift(settings, versions[-1]), "`salesplan plan export --force`")
    if source.content_hash == versions[-1].content_hash:
        raise ConfigError(
            "Plan version {version} already has the same content as the latest version "
            "{latest}; nothing to revert.",
            version=number,
            latest=versions[-1].number,
        )
    _model(source)
    stored = store_version(
        settings, source.content, author=resolve_author(settings, author), reason=why, at=at
    )
    write_plan_file(plan_path(settings), source.content)
    return RevertResult(PlanVersion.of(stored), PlanVersion.of(source))


# --- Calendar: the review cadence and deadlines as iCalendar (RFC 5545) ----------------------

CALENDAR_STEPS: dict[str, tuple[str, int]] = {
    "weekly": ("days", 7),
    "biweekly": ("days", 14),
    "monthly": ("months", 1),
    "quarterly": ("months", 3),
    "yearly": ("months", 12),
}
"""Cadence → (unit, step) between two review meetings."""

REVIEW_SUMMARY = N_("Plan review: {kind} ({cadence})")
INITIATIVE_SUMMARY = N_("Initiative {id} due: {title}")
ACTION_SUMMARY = N_("Action item {id} due: {title}")
DRI_LINE = N_("DRI: {owner}")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One all-day event; `uid` is stable across exports so calendar apps update, not add."""

    uid: str
    day: dt.date
    summary: str
    description: str


def _add_months(day: dt.date, months: int) -> dt.date:
    """Same day of month `months` later, clamped to the month's last day (31 Jan → 28 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def review_days(
    cadence: str, starts: dt.date, ends: dt.date, first: dt.date | None = None
) -> list[dt.date]:
    """Meeting days from `first` (or `starts`) through `ends`, inclusive, every `cadence`."""
    anchor = first if first is not None and starts <= first <= ends else starts
    unit, step = CALENDAR_STEPS[cadence]
    days: list[dt.date] = []
    k = 0
    while True:
        if unit == "days":
            day = anchor + dt.timedelta(days=step * k)
        else:
            day = _add_months(anchor, step * k)
        if day > ends:
            return days
        days.append(day)
        k += 1


def calendar_events(plan: Plan, say: Callable[..., str]) -> list[CalendarEvent]:
    """Review meetings over the plan period (starts–ends, else the plan year) and every
    initiative and action deadline. `say(msgid, **params)` translates the texts."""
    starts = plan.starts or dt.date(plan.year, 1, 1)
    ends = plan.ends or dt.date(plan.year, 12, 31)
    events: list[CalendarEvent] = []
    for review in plan.reviews:
        summary = say(
            REVIEW_SUMMARY,
            kind=say(LABELS["review"].get(review.kind, review.kind)),
            cadence=say(LABELS["cadence"].get(review.cadence, review.cadence)),
        )
        lines = [say(DRI_LINE, owner=review.owner or "–"), *review.agenda]
        for day in review_days(review.cadence, starts, ends, review.next_on):
            uid = f"review-{review.id}-{day:%Y%m%d}-{plan.year}@salesplan"
            events.append(CalendarEvent(uid, day, summary, "\n".join(lines)))
    items: list[tuple[str, str, Initiative | ActionItem]] = [
        (INITIATIVE_SUMMARY, "initiative", i) for i in plan.initiatives
    ]
    items += [(ACTION_SUMMARY, "action", a) for a in plan.actions]
    for msgid, kind, item in items:
        if item.deadline is None:
            continue
        events.append(
            CalendarEvent(
                f"{kind}-{item.id}-{plan.year}@salesplan",
                item.deadline,
                say(msgid, id=item.id, title=item.title),
                say(DRI_LINE, owner=item.owner or "–"),
            )
        )
    return events


def ics_escape(text: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets; continuations start with one space.

    Splits between UTF-8 characters, never inside one. Returns CRLF-separated text."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def ics_text(events: list[CalendarEvent], name: str, stamp: dt.datetime) -> str:
    """A VCALENDAR of all-day VEVENTs (DTEND the next day), CRLF line endings."""
    utc = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//salesplan//plan calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + ics_escape(name),
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            "UID:" + event.uid,
            "DTSTAMP:" + utc,
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + dt.timedelta(days=1):%Y%m%d}",
            "SUMMARY:" + ics_escape(event.summary),
            "DESCRIPTION:" + ics_escape(event.description),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    version: PlanVersion
    events: list[CalendarEvent]
    text: str


def plan_calendar(
    settings: Settings, say: Callable[..., str], *, stamp: dt.datetime | None = None
) -> PlanCalendar:
    """The latest plan version's reviews and deadlines as iCalendar text."""
    found = stored_plan(settings)
    if found is None:
        raise _no_plan()
    version, plan = found
    events = calendar_events(plan, say)
    text = ics_text(events, plan.title, stamp or dt.datetime.now(dt.UTC).replace(microsecond=0))
    return PlanCalendar(PlanVersion.of(version), events, text)
