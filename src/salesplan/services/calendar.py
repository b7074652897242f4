"""The plan's review cadence and deadlines as an iCalendar file (RFC 5545).

The document is built and serialised by the `icalendar` library (line folding at 75 octets,
TEXT escaping, CRLF endings), so salesplan only decides which events exist: review meetings
over the plan period and every initiative and action item deadline, as all-day events with
stable UIDs so that a calendar app updates them on re-import instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import icalendar

from salesplan.config import Settings
from salesplan.documents.labels import LABELS
from salesplan.domain.plan import Plan
from salesplan.domain.plan_calendar import review_days
from salesplan.domain.plan_execution import ActionItem, Initiative
from salesplan.errors import ConfigError
from salesplan.i18n import N_
from salesplan.services.plan import PlanVersion
from salesplan.services.plan_store import stored_plan

PRODID = "-//salesplan//plan calendar//EN"
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


def ics_bytes(events: list[CalendarEvent], name: str, stamp: dt.datetime) -> bytes:
    """A VCALENDAR of all-day VEVENTs (DTEND the day after DTSTART, exclusive), UTF-8 with
    CRLF line endings; DTSTAMP is `stamp` in UTC on every event."""
    utc = stamp.astimezone(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("dtstamp", utc)
        vevent.add("dtstart", event.day)
        vevent.add("dtend", event.day + dt.timedelta(days=1))
        vevent.add("summary", event.summary)
        vevent.add("description", event.description)
        vevent.add("transp", "TRANSPARENT")
        cal.add_component(vevent)
    data: bytes = cal.to_ical()
    return data


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    version: PlanVersion
    events: list[CalendarEvent]
    data: bytes
    """The .ics file as written (UTF-8, CRLF)."""


def plan_calendar(
    settings: Settings, say: Callable[..., str], *, stamp: dt.datetime | None = None
) -> PlanCalendar:
    """The latest plan version's reviews and deadlines as an iCalendar file."""
    found = stored_plan(settings)
    if found is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    version, plan = found
    events = calendar_events(plan, say)
    data = ics_bytes(events, plan.title, stamp or dt.datetime.now(dt.UTC).replace(microsecond=0))
    return PlanCalendar(PlanVersion.of(version), events, data)
