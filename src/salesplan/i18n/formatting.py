"""Locale-aware formatting of money, numbers, percentages, dates and periods (pure).

Everything is delegated to Babel (CLDR data) except where CLDR's output is not what a
salesplan reader expects; those places are called out below and in docs/i18n.md:

* rounding is always ROUND_HALF_UP (Babel rounds half-even);
* compact money is computed here on Decimal: en uses K/M/B/T with one decimal,
  zh_CN uses 万 (10^4), 亿 (10^8) and 万亿 (10^12) with two decimals; trailing zeros are
  dropped and amounts below the first unit are shown in full.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from babel.dates import format_date as _babel_format_date
from babel.dates import format_skeleton as _babel_format_skeleton
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal
from babel.numbers import format_percent as _babel_format_percent

from salesplan.i18n._locale import resolve_locale
from salesplan.i18n.money import minor_to_decimal, normalise_currency, round_to_currency

__all__ = [
    "DateStyle",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "format_period",
]

DateStyle = Literal["short", "medium", "long", "full"]
_DATE_STYLES = ("short", "medium", "long", "full")

# (power of ten, suffix), largest first, and the decimals shown in compact form.
_COMPACT_UNITS: dict[str, tuple[tuple[tuple[int, str], ...], int]] = {
    "en": (((12, "T"), (9, "B"), (6, "M"), (3, "K")), 1),
    "zh_CN": (((12, "万亿"), (8, "亿"), (4, "万")), 2),
}


def _shift(value: Decimal, places: int) -> Decimal:
    """value * 10**places, exactly (no context rounding)."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    return Decimal((sign, digits, exp + places))


def _round_half_up(value: Decimal, digits: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + digits + 2)
        rounded = value.quantize(Decimal((0, (1,), -digits)), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # never show "-0.00"


def _to_decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a number, got bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))  # the shortest decimal that reads back as this float
    else:
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"cannot format the non-finite {what} {value!r}")
    return result


def format_money(
    amount: Decimal | int,
    currency: str,
    locale: str,
    *,
    minor: bool = False,
    compact: bool = False,
) -> str:
    """Format an amount of money for a reader of `locale`.

    `amount` is a Decimal or int in major units, or with `minor=True` an int in minor units
    (fen, cents). Floats are refused. Full form shows the currency's decimals, rounded half
    up: en `CN¥1,234,567.89`, `$1,234,567.89`; zh_CN `¥1,234,567.89`, `US$1,234,567.89`.
    Compact form: en `CN¥1.2M`, `$3.4K`; zh_CN `¥123.46万`, `¥1.23亿`; below the first unit
    (1,000 in en, 1万 in zh_CN) the full form is used. Negative amounts keep their sign.
    """
    code = normalise_currency(currency)
    loc = resolve_locale(locale)
    if minor:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"with minor=True the amount must be an int, got {amount!r}")
        value = minor_to_decimal(amount, code)
    else:
        if isinstance(amount, float):
            raise TypeError("money must be Decimal or int, never float")
        value = _to_decimal(amount, "amount")
    if compact:
        compacted = _compact(value, code, loc)
        if compacted is not None:
            return compacted
    rounded = round_to_currency(value, code)
    return str(_babel_format_currency(rounded, code, locale=loc))


def _compact(value: Decimal, currency: str, locale: str) -> str | None:
    units, digits = _COMPACT_UNITS[locale]
    magnitude = abs(value)
    # The unit is chosen from the amount as the full form would show it (9999.999 → 1万).
    shown = abs(round_to_currency(value, currency))
    fitting = [i for i, (power, _) in enumerate(units) if shown >= Decimal((0, (1,), power))]
    if not fitting:
        return None  # below the smallest unit: the caller shows the full amount
    index = fitting[0]
    # Rounding may carry into the next unit (9999.999万 → 1亿, 999.95K → 1M): step up.
    while True:
        power, suffix = units[index]
        scaled = _round_half_up(_shift(magnitude, -power), digits)
        if index == 0 or scaled < Decimal((0, (1,), units[index - 1][0] - power)):
            break
        index -= 1
    if value < 0:
        scaled = -scaled
    pattern = "¤#,##0." + "#" * digits
    number = _babel_format_currency(
        scaled, currency, format=pattern, locale=locale, currency_digits=False
    )
    return f"{number}{suffix}"


def format_number(value: Decimal | int | float, locale: str, digits: int | None = None) -> str:
    """Format a plain number with the locale's grouping: `1,234,567.5`.

    `digits=None` shows up to three decimals (trailing zeros dropped); an int `digits` shows
    exactly that many. Rounding is half up.
    """
    loc = resolve_locale(locale)
    number = _to_decimal(value, "number")
    if digits is None:
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -3:
            number = _round_half_up(number, 3)
        pattern = "#,##0.###"
    else:
        if digits < 0:
            raise ValueError(f"digits must be zero or more, got {digits}")
        number = _round_half_up(number, digits)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
    if number.is_zero():
        number = abs(number)
    return str(_babel_format_decimal(number, format=pattern, locale=loc))


def format_percent(fraction: float | Decimal | int, locale: str, digits: int = 1) -> str:
    """Format a fraction as a percentage: 0.253 → `25.3%` (digits decimals, half up)."""
    loc = resolve_locale(locale)
    if digits < 0:
        raise ValueError(f"digits must be zero or more, got {digits}")
    percent = _round_half_up(_shift(_to_decimal(fraction, "fraction"), 2), digits)
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    # Babel multiplies by 100 again; handing it the rounded value / 100 keeps it exact.
    return str(_babel_format_percent(_shift(percent, -2), format=pattern, locale=loc))


def format_date(d: dt.date, locale: str, style: DateStyle = "medium") -> str:
    """Format a date: medium is en `Nov 28, 2026`, zh_CN `2026年11月28日`."""
    loc = resolve_locale(locale)
    if style not in _DATE_STYLES:
        raise ValueError(f"unknown date style {style!r}; use one of: {', '.join(_DATE_STYLES)}")
    if not isinstance(d, dt.date):
        raise TypeError(f"expected a date, got {type(d).__name__}")
    return str(_babel_format_date(d, format=style, locale=loc))


def format_period(
    year: int, locale: str, *, quarter: int | None = None, month: int | None = None
) -> str:
    """Format a planning period: a year, a quarter or a month.

    en: `2026`, `Q4 2026`, `Nov 2026`; zh_CN: `2026年`, `2026年第4季度`, `2026年11月`.
    """
    loc = resolve_locale(locale)
    if quarter is not None and month is not None:
        raise ValueError("give a quarter or a month, not both")
    if quarter is not None:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1 to 4, got {quarter}")
        return str(_babel_format_skeleton("yQQQ", dt.date(year, 3 * quarter - 2, 1), locale=loc))
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1 to 12, got {month}")
        return str(_babel_format_skeleton("yMMM", dt.date(year, month, 1), locale=loc))
    return str(_babel_format_skeleton("y", dt.date(year, 1, 1), locale=loc))
