"""The written plan as a plain tree of sections, independent of language and format.

Builders (documents/sections_*.py) turn service results into a `Report`; renderers
(html, markdown, xlsx) walk it. Values keep their machine form — money in integer minor
units of the report's currency, rates as fractions 0–1 — and are formatted only when a
renderer shows them, so the Excel workbook gets real numbers and the HTML gets the locale's
formatting. Every sentence is a `Msg`: an English message id translated at render time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    """Integer minor units of the report currency."""
    compact: bool = False
    """Show as ¥1.33亿 / CN¥132.9M instead of the full amount."""


@dataclass(frozen=True, slots=True)
class Percent:
    fraction: float
    digits: int = 1


@dataclass(frozen=True, slots=True)
class Number:
    value: int | float | Decimal
    digits: int | None = None


@dataclass(frozen=True, slots=True)
class Day:
    value: dt.date


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int


@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    quarter: int


@dataclass(frozen=True, slots=True)
class Label:
    """A value from the data (a name, a segment code); shown through `labels`, else as is."""

    code: str
    kind: str = ""
    """Label family for translation of known codes (see documents.labels)."""


@dataclass(frozen=True, slots=True)
class Msg:
    """A translated sentence: message id plus parameters (values are formatted first)."""

    msgid: str
    params: Mapping[str, Value] = field(default_factory=dict)


Value = Money | Percent | Number | Day | Month | Quarter | Label | Msg | str | None
"""A cell or parameter; `str` is shown verbatim (codes, commands), None as a dash."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Msg | str
    """A str is the plan's own words, shown as written."""


@dataclass(frozen=True, slots=True)
class Bullets:
    items: list[Msg | str]


@dataclass(frozen=True, slots=True)
class Facts:
    """Key figures: (label message id, value) pairs shown as tiles or a two-column table."""

    key: str
    title: str
    rows: list[tuple[str, Value]]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    """Message id."""
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    """Machine name, also the Excel sheet name (≤ 31 characters)."""
    title: str
    """Message id."""
    columns: list[Column]
    rows: list[list[Value]]
    note: Msg | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart of `documents.charts`: `chart` names the spec, `data` is its rows."""

    chart: str
    title: str
    """Message id."""
    data: list[dict[str, object]]
    note: Msg | None = None


@dataclass(frozen=True, slots=True)
class Missing:
    """What the section lacks and the command that supplies it."""

    what: str
    """Message id, e.g. "No plan yet"."""
    command: str
    """Shown verbatim in backticks, e.g. `salesplan plan new`."""


Block = Paragraph | Bullets | Facts | Table | Figure | Missing


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    """Message id."""
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Report:
    year: int
    as_of: dt.date
    currency: str
    title: Msg
    subtitle: Msg
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _t(msgid: str, /, **params: Value) -> Msg:
    """A sentence to translate later; the name lets the catalogue test see `msgid`."""
    return Msg(msgid, params)
