"""One text cell → a typed value: dates, instants, exact amounts, fractions, booleans.

Every parser takes the cell's text (already stripped, never empty) and returns the value or
raises `ParseError`, whose message id and params say why in words a user understands.
Amounts are parsed with `Decimal` from the text (never via float) and become integer minor
units of their currency; a value with more decimals than its currency has is refused, not
rounded. Date fields keep the calendar date as written; instants become naive UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final, Literal

from salesplan.i18n.money import currency_exponent, normalise_currency

DayOrder = Literal["dmy", "mdy"]


class ParseError(ValueError):
    """A value that cannot be read; `message_id` is an i18n message with `params`."""

    def __init__(self, message_id: str, /, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params


class AmbiguousDateError(ParseError):
    """A date like 03/04/2026 whose day/month order nothing in the column decides."""


# --- dates and instants ----------------------------------------------------------------

_TIME = (
    r"(?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}")
_CJK = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"
    + _TIME.replace(r"[T\s]+", r"\s*")
)
_NUMERIC = re.compile(
    rf"(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}"
)
_DAY_MONTH_NAME = re.compile(
    rf"(?P<d>\d{{1,2}})[\s-]+(?P<mon>[A-Za-z]{{3,9}})\.?,?[\s-]+(?P<y>\d{{4}}),?{_TIME}"
)
_MONTH_NAME_DAY = re.compile(
    rf"(?P<mon>[A-Za-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}}),?{_TIME}"
)
_COMPACT = re.compile(r"(?P<y>(?:19|20|21)\d{2})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL = re.compile(r"(?P<days>\d{5})(?:\.(?P<frac>\d+))?")
_EXCEL_EPOCH: Final = dt.datetime(1899, 12, 30)
_SERIAL_RANGE: Final = (20_000, 80_000)  # 1954-10-03 .. 2119-01-10

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def _time_and_zone(match: re.Match[str]) -> tuple[dt.time, dt.timedelta | None]:
    if match.group("h") is None:
        return dt.time(0, 0), None
    hour, minute = int(match.group("h")), int(match.group("mi"))
    second = int(match.group("s") or 0)
    micro = int((match.group("f") or "0")[:6].ljust(6, "0"))
    ampm = (match.group("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ParseError("{value} is not a valid time of day.", value=match.group(0))
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        time = dt.time(hour, minute, second, micro)
    except ValueError:
        raise ParseError("{value} is not a valid time of day.", value=match.group(0)) from None
    zone = match.group("tz")
    if zone is None:
        return time, None
    if zone in ("Z", "UTC", "GMT"):
        return time, dt.timedelta(0)
    digits = zone[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return time, -offset if zone[0] == "-" else offset


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _build(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError("{value} is not a valid calendar date.", value=text) from None


def _numeric_order(a: int, b: int, order: DayOrder | None, text: str) -> tuple[int, int]:
    """(day, month) of a numeric date a/b/yyyy under `order`."""
    if a > 12 and b <= 12:
        return a, b
    if b > 12 and a <= 12:
        return b, a
    if a == b or order is not None:
        return (a, b) if order == "dmy" or a == b else (b, a)
    raise AmbiguousDateError(
        "{value} in column {column} could be day/month or month/day, and no date in the "
        "file tells which; add dayfirst: true (or false) to a mapping file (--mapping).",
        value=text,
    )


def _parse(text: str, order: DayOrder | None) -> tuple[dt.date, dt.time, dt.timedelta | None]:
    value = text.strip()
    for pattern in (_ISO, _CJK):
        match = pattern.fullmatch(value)
        if match:
            day = _build(value, int(match["y"]), int(match["m"]), int(match["d"]))
            return (day, *_time_and_zone(match))
    match = _NUMERIC.fullmatch(value)
    if match:
        d, m = _numeric_order(int(match["a"]), int(match["b"]), order, value)
        return (_build(value, _year(match["y"]), m, d), *_time_and_zone(match))
    for pattern in (_DAY_MONTH_NAME, _MONTH_NAME_DAY):
        match = pattern.fullmatch(value)
        if match:
            month = _MONTHS.get(match["mon"].lower())
            if month is None:
                break
            day = _build(value, int(match["y"]), month, int(match["d"]))
            return (day, *_time_and_zone(match))
    match = _COMPACT.fullmatch(value)
    if match:
        return _build(value, int(match["y"]), int(match["m"]), int(match["d"])), dt.time(), None
    match = _SERIAL.fullmatch(value)
    if match and _SERIAL_RANGE[0] <= int(match["days"]) <= _SERIAL_RANGE[1]:
        fraction = Decimal("0." + (match["frac"] or "0"))
        seconds = int((fraction * 86_400).to_integral_value())
        moment = _EXCEL_EPOCH + dt.timedelta(days=int(match["days"]), seconds=seconds)
        return moment.date(), moment.time(), None
    raise ParseError("{value} is not a date salesplan can read.", value=value)


def parse_date(text: str, order: DayOrder | None = None) -> dt.date:
    """The calendar date written in `text` (a time or zone after it is ignored)."""
    return _parse(text, order)[0]


def parse_instant(text: str, order: DayOrder | None = None) -> dt.datetime:
    """The moment written in `text` as a naive UTC datetime (no zone given: taken as UTC)."""
    day, time, offset = _parse(text, order)
    moment = dt.datetime.combine(day, time)
    return moment - offset if offset is not None else moment


def infer_day_order(values: Iterable[str]) -> DayOrder | Literal["conflict"] | None:
    """Day/month order of a column's numeric dates: decided by any part greater than 12."""
    day_first = month_first = False
    for value in values:
        match = _NUMERIC.fullmatch(value.strip())
        if not match:
            continue
        a, b = int(match["a"]), int(match["b"])
        day_first |= a > 12 >= b
        month_first |= b > 12 >= a
    if day_first and month_first:
        return "conflict"
    return "dmy" if day_first else "mdy" if month_first else None


# --- amounts ---------------------------------------------------------------------------

_SYMBOLS: Final = {
    "US$": "USD",
    "HK$": "HKD",
    "NT$": "TWD",
    "S$": "SGD",
    "A$": "AUD",
    "C$": "CAD",
    "NZ$": "NZD",
    "R$": "BRL",
    "CN¥": "CNY",
    "JP¥": "JPY",
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "美元": "USD",
    "€": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "₹": "INR",
    "₽": "RUB",
    "₺": "TRY",
    "CHF": "CHF",
}
_DOLLAR = {"USD", "HKD", "SGD", "AUD", "CAD", "NZD", "TWD"}
_YEN = {"CNY", "JPY"}
_MULTIPLIERS: Final = {
    "千": Decimal(10) ** 3,
    "万": Decimal(10) ** 4,
    "百万": Decimal(10) ** 6,
    "千万": Decimal(10) ** 7,
    "亿": Decimal(10) ** 8,
    "k": Decimal(10) ** 3,
    "m": Decimal(10) ** 6,
    "mm": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
}
_CURRENCY_PREFIX = re.compile(
    r"(?P<cur>US\$|HK\$|NT\$|S\$|A\$|C\$|NZ\$|R\$|CN¥|JP¥|[A-Z]{3}|[$¥￥€£₩₹₽₺]|人民币)\s*"
)
_CURRENCY_SUFFIX = re.compile(r"\s*(?P<cur>[A-Z]{3}|[$¥￥€£₩₹₽₺]|人民币|元|美元)")
_MULTIPLIER_SUFFIX = re.compile(r"\s*(?P<mul>百万|千万|千|万|亿|[kK]|[mM]{1,2}|[mM]n|[bB]n?)")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f'’]")
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_GROUPED_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?")
_PLAIN = re.compile(r"\d+(?:\.\d*)?|\.\d+")


_MAX_MINOR: Final = 2**63 - 1
_MAX_INT: Final = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None  # from a symbol or code in the cell, else None


def _symbol_currency(symbol: str, default: str | None) -> str:
    if symbol in ("$",):
        return default if default in _DOLLAR else "USD"
    if symbol in ("¥", "￥"):
        return default if default in _YEN else "CNY"
    code = _SYMBOLS.get(symbol, symbol)
    try:
        return normalise_currency(code)
    except ValueError:
        raise ParseError("{value} is not a known currency code.", value=symbol) from None


def _digits(number: str, decimal: str | None, text: str) -> Decimal:
    """`number` (digits and separators only) as a Decimal, honouring the decimal mark."""
    has_dot, has_comma = "." in number, "," in number
    if has_dot and has_comma:
        mark = "," if number.rfind(",") > number.rfind(".") else "."
        if decimal is not None and mark != decimal:
            raise _bad_number(text)
        grouped = _GROUPED_DOT if mark == "," else _GROUPED_COMMA
        if not grouped.fullmatch(number):
            raise _bad_number(text)
        number = number.replace("," if mark == "." else ".", "").replace(",", ".")
    elif has_comma:
        if decimal == "," and number.count(",") == 1:
            number = number.replace(",", ".")
        elif decimal != "," and _GROUPED_COMMA.fullmatch(number):
            number = number.replace(",", "")
        elif decimal is None and number.count(",") == 1:
            number = number.replace(",", ".")
        else:
            raise _bad_number(text)
    elif has_dot and (decimal == "," or number.count(".") > 1):
        if not _GROUPED_DOT.fullmatch(number) or decimal == "." or number.count(".") == 1:
            if decimal == "," and number.count(".") == 1 and _GROUPED_DOT.fullmatch(number):
                number = number.replace(".", "")
            else:
                raise _bad_number(text)
        else:
            number = number.replace(".", "")
    if not _PLAIN.fullmatch(number):
        raise _bad_number(text)
    try:
        return Decimal(number)
    except InvalidOperation:
        raise _bad_number(text) from None


def _bad_number(text: str) -> ParseError:
    return ParseError("{value} is not an amount salesplan can read.", value=text)


def parse_amount(text: str, decimal: str | None = None, default: str | None = None) -> Amount:
    """An amount with its currency if the cell names one: `¥1,234`, `$1.2K`, `(1,200)`, `12.5万`.

    `decimal` is the column's decimal mark ("." or ","), None to decide per value (a lone
    comma followed by three digits is then a thousands separator); `default` is the
    currency assumed for ambiguous symbols (`$`, `¥`).
    """
    s = text.strip().replace("−", "-").replace("＄", "$")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.endswith("-") and not s.startswith("-"):
        negative, s = True, s[:-1].strip()
    currency: str | None = None
    signed = s[:1] in ("+", "-")
    if signed:
        negative, s = negative or s[0] == "-", s[1:].strip()
    match = _CURRENCY_PREFIX.match(s)
    if match and match.end() < len(s):
        currency, s = _symbol_currency(match["cur"], default), s[match.end() :]
        if not signed and s[:1] in ("+", "-"):
            negative, s = negative or s[0] == "-", s[1:].strip()
    match = _CURRENCY_SUFFIX.search(s)
    if match and match.end() == len(s) and match.start() > 0:
        suffix = _symbol_currency(match["cur"], default)
        if currency is not None and suffix != currency:
            raise _bad_number(text)
        currency, s = suffix, s[: match.start()]
    multiplier = Decimal(1)
    match = _MULTIPLIER_SUFFIX.search(s)
    if match and match.end() == len(s) and match.start() > 0:
        multiplier, s = _MULTIPLIERS[match["mul"].lower()], s[: match.start()]
    s = _SPACES.sub("", s)
    if not s:
        raise _bad_number(text)
    value = _digits(s, decimal, text) * multiplier
    return Amount(-value if negative else value, currency)


def infer_decimal_mark(
    values: Iterable[str], *, dot: bool = False
) -> str | Literal["conflict"] | None:
    """The decimal mark of a column, from values only one reading fits (`1.234,5`, `12,5`).

    `dot`: the column's other values (checked elsewhere) already show a decimal dot.
    """
    comma = False
    for raw in values:
        number = re.sub(r"[^\d.,]", "", raw)
        if "." in number and "," in number:
            if number.rfind(",") > number.rfind("."):
                comma = True
            else:
                dot = True
        elif "," in number:
            if not _GROUPED_COMMA.fullmatch(number):
                comma = True
        elif "." in number:
            if number.count(".") > 1:
                comma = True
            elif not _GROUPED_DOT.fullmatch(number):
                dot = True
    if comma and dot:
        return "conflict"
    return "," if comma else "." if dot else None


@cache
def _exponent(currency: str) -> int:
    return currency_exponent(currency)


def to_minor(value: Decimal, currency: str, text: str) -> int:
    """Exact integer minor units of `value` in `currency`; refuses to round."""
    try:
        exponent = _exponent(currency)
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise ValueError(text)
        minor = int(scaled)
    except (ValueError, InvalidOperation):
        raise ParseError(
            "{value} has more decimal places than {currency} allows.",
            value=text,
            currency=currency,
        ) from None
    if abs(minor) > _MAX_MINOR:
        raise ParseError("{value} is too large.", value=text)
    return minor


def parse_currency(text: str) -> str:
    """An ISO 4217 code from a cell: `usd`, `USD`, `¥`, `人民币`."""
    value = text.strip()
    try:
        return _symbol_currency(value if value in _SYMBOLS else value.upper(), None)
    except ParseError:
        raise ParseError("{value} is not a known currency code.", value=text) from None


def parse_decimal(text: str, decimal: str | None = None) -> Decimal:
    """A plain number (no currency), e.g. a rate or a count: `6.9123`, `1,200`, `7,12`."""
    amount = parse_amount(text, decimal)
    if amount.currency is not None:
        raise ParseError("{value} is not a number salesplan can read.", value=text)
    return amount.value


def parse_integer(text: str, decimal: str | None = None) -> int:
    try:
        value = parse_decimal(text, decimal)
    except ParseError:
        raise ParseError("{value} is not a whole number.", value=text) from None
    if value != value.to_integral_value():
        raise ParseError("{value} is not a whole number.", value=text)
    if abs(value) > _MAX_INT:
        raise ParseError("{value} is too large.", value=text)
    return int(value)


def parse_fraction(text: str, percent: bool, decimal: str | None = None) -> float:
    """A probability or discount as a fraction 0-1: `25%`, `25` (percent column), `0.25`."""
    value = text.strip()
    is_percent = percent or value.endswith("%")
    try:
        number = parse_decimal(value.rstrip("%").strip(), decimal)
    except ParseError:
        raise ParseError("{value} is not a percentage salesplan can read.", value=text) from None
    fraction = number / 100 if is_percent else number
    if not 0 <= fraction <= 1:
        raise ParseError("{value} is not a percentage between 0 and 100.", value=text)
    return float(fraction)


def percent_scale(values: Iterable[str]) -> bool:
    """Whether a probability column is written in percent (any value above 1 or with `%`)."""
    for value in values:
        if "%" in value:
            return True
        try:
            if parse_decimal(value) > 1:
                return True
        except ParseError:
            continue
    return False


_TRUE: Final = {"1", "true", "t", "yes", "y", "是", "真", "x", "✓", "on", "1.0"}
_FALSE: Final = {"0", "false", "f", "no", "n", "否", "假", "off", "0.0"}


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParseError("{value} is not yes/no (expected 1/0 or true/false).", value=text)
