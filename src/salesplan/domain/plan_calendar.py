"""Review meeting days: a plan review's cadence laid out over a period (pure date arithmetic).

Used by the calendar export (services.calendar) and by the yearly roll-forward, which moves
every review's next meeting into the new year.
"""

from __future__ import annotations

import calendar
import datetime as dt

CALENDAR_STEPS: dict[str, tuple[str, int]] = {
    "weekly": ("days", 7),
    "biweekly": ("days", 14),
    "monthly": ("months", 1),
    "quarterly": ("months", 3),
    "yearly": ("months", 12),
}
"""Cadence → (unit, step) between two review meetings."""


def add_months(day: dt.date, months: int) -> dt.date:
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
            day = add_months(anchor, step * k)
        if day > ends:
            return days
        days.append(day)
        k += 1
