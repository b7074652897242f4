"""Planning periods as people write them: `2026`, `2026Q1`, `2026-03`, `last-12m`.

A Period is a half-open date range [start, end) with the text it was written as, so every
figure can say which period it covers. `last-Nm` ends at the start of the as-of month's next
day boundary: the N whole months before the as-of date's month plus that month to date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_LAST = re.compile(r"^last-(\d{1,3})m$", re.IGNORECASE)


class PeriodError(ValueError):
    """The text is not a period we understand."""


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    """Exclusive end."""
    grain: str
    """`year`, `quarter`, `month` or `rolling`."""

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous_year(self) -> Period:
        """The same period one year earlier (for year-over-year comparisons)."""
        return Period(
            f"{self.label} -1y",
            _shift_year(self.start, -1),
            _shift_year(self.end, -1),
            self.grain,
        )

    def previous(self) -> Period:
        """The period of the same length just before this one (quarter-over-quarter etc.)."""
        months = _months_between(self.start, self.end)
        start = add_months(self.start, -months)
        return Period(f"{self.label} -1", start, self.start, self.grain)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month (day must be a 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def parse_period(text: str, as_of: dt.date) -> Period:
    """Parse `text`; `as_of` anchors rolling periods. Raises PeriodError."""
    value = text.strip()
    if match := _YEAR.match(value):
        year = int(match.group(1))
        return Period(value, dt.date(year, 1, 1), dt.date(year + 1, 1, 1), "year")
    if match := _QUARTER.match(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        start = dt.date(year, 3 * quarter - 2, 1)
        return Period(f"{year}Q{quarter}", start, add_months(start, 3), "quarter")
    if match := _MONTH.match(value):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(text)
        start = dt.date(year, month, 1)
        return Period(f"{year}-{month:02d}", start, add_months(start, 1), "month")
    if match := _LAST.match(value):
        months = int(match.group(1))
        if months < 1:
            raise PeriodError(text)
        end = as_of + dt.timedelta(days=1)
        start = add_months(dt.date(as_of.year, as_of.month, 1), -months + 1)
        return Period(f"last-{months}m", start, end, "rolling")
    raise PeriodError(text)
