"""Locale formatting, checked against hand-worked strings.

Symbols come from CLDR via Babel: in en, CNY is `CN¥` (plain `¥` is the yen there) and USD
is `$`; in zh_CN, CNY is `¥`, USD is `US$` and JPY is `JP¥`. Rounding is half up throughout;
several cases below are chosen so that half-even rounding would give a different answer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesplan.i18n import UnknownLocaleError
from salesplan.i18n.formatting import (
    format_date,
    format_money,
    format_number,
    format_percent,
    format_period,
)

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (D("1234567.89"), "CNY", "en", "CN¥1,234,567.89"),
        (D("1234567.89"), "USD", "en", "$1,234,567.89"),
        (D("1234567"), "JPY", "en", "¥1,234,567"),
        (D("1234567.89"), "CNY", "zh_CN", "¥1,234,567.89"),
        (D("1234567.89"), "USD", "zh_CN", "US$1,234,567.89"),
        (D("1234567"), "JPY", "zh_CN", "JP¥1,234,567"),
        (1234, "CNY", "zh_CN", "¥1,234.00"),
        (D("0"), "CNY", "zh_CN", "¥0.00"),
        (D("-1234.5"), "USD", "en", "-$1,234.50"),
        (D("-1234.5"), "CNY", "zh_CN", "-¥1,234.50"),
        (D("0.005"), "CNY", "en", "CN¥0.01"),  # half up; Babel alone gives CN¥0.00
        (D("2.675"), "USD", "en", "$2.68"),
        (D("2.5"), "JPY", "en", "¥3"),  # Babel alone gives ¥2
        (D("-0.004"), "CNY", "zh_CN", "¥0.00"),  # no "-¥0.00"
        (D("1234567.89"), "cny", "zh-CN", "¥1,234,567.89"),  # lenient spellings
    ],
)
def test_format_money_full(
    amount: Decimal | int, currency: str, locale: str, expected: str
) -> None:
    assert format_money(amount, currency, locale) == expected


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "expected"),
    [
        (123456, "CNY", "zh_CN", "¥1,234.56"),
        (-5, "USD", "en", "-$0.05"),
        (500, "JPY", "en", "¥500"),
        (123456789, "CNY", "zh_CN", "¥1,234,567.89"),
    ],
)
def test_format_money_from_minor_units(
    minor: int, currency: str, locale: str, expected: str
) -> None:
    assert format_money(minor, currency, locale, minor=True) == expected


# zh_CN compact: 万 = 10^4, 亿 = 10^8, 万亿 = 10^12; two decimals, half up, trailing zeros
# dropped; below 1万 the full amount. The unit is chosen from the amount rounded to the
# currency's decimals, and steps up when rounding reaches the next unit (9999.9999万 → 1亿).
@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0"), "¥0.00"),
        (D("1234.5"), "¥1,234.50"),
        (D("9999.99"), "¥9,999.99"),  # just below 1万: no 万
        (D("9999.994"), "¥9,999.99"),
        (D("9999.995"), "¥1万"),  # shown in full it would be ¥10,000.00, so it is 1万
        (D("10000"), "¥1万"),  # 1.00万 with zeros dropped
        (D("15000"), "¥1.5万"),
        (D("1234567.89"), "¥123.46万"),  # 123.456789万
        (D("1234449.99"), "¥123.44万"),  # 123.444999万: below the half, rounds down
        (D("1234450"), "¥123.45万"),  # 123.445万: half up (half-even would say 123.44)
        (D("99994999"), "¥9,999.5万"),  # 9999.4999万 → 9999.50万
        (D("99999999"), "¥1亿"),  # 9999.9999万 rounds to 10000万 = 1亿
        (D("100000000"), "¥1亿"),
        (D("123456789"), "¥1.23亿"),  # 1.23456789亿
        (D("-123456789"), "-¥1.23亿"),
        (D("-15000"), "-¥1.5万"),
        (D("-9999.99"), "-¥9,999.99"),
        (D("999999999999.99"), "¥1万亿"),  # 9999.9999999999亿 rounds to 1万亿
        (D("1234567890123"), "¥1.23万亿"),
        (10**17, "¥100,000万亿"),
    ],
)
def test_format_money_compact_zh_cn(amount: Decimal | int, expected: str) -> None:
    assert format_money(amount, "CNY", "zh_CN", compact=True) == expected


def test_format_money_compact_zh_cn_other_currency_and_minor() -> None:
    assert format_money(D("1234567.89"), "USD", "zh_CN", compact=True) == "US$123.46万"
    assert format_money(123456789, "CNY", "zh_CN", minor=True, compact=True) == "¥123.46万"


# en compact: K/M/B/T with one decimal, half up, trailing zero dropped; below 1,000 in full.
@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (D("999.99"), "USD", "$999.99"),
        (D("1000"), "USD", "$1K"),
        (D("3400"), "USD", "$3.4K"),
        (D("3450"), "USD", "$3.5K"),  # half up (half-even would say 3.4K)
        (D("999949"), "USD", "$999.9K"),
        (D("999950"), "USD", "$1M"),  # 999.95K rounds to 1000.0K = 1M
        (D("1234567.89"), "CNY", "CN¥1.2M"),
        (D("2500000000"), "USD", "$2.5B"),
        (D("1500000000000"), "USD", "$1.5T"),
        (D("-3400"), "USD", "-$3.4K"),
    ],
)
def test_format_money_compact_en(amount: Decimal, currency: str, expected: str) -> None:
    assert format_money(amount, currency, "en", compact=True) == expected


def test_format_money_refuses_float() -> None:
    with pytest.raises(TypeError, match="never float"):
        format_money(1.5, "CNY", "en")  # type: ignore[arg-type]


def test_format_money_minor_needs_an_int() -> None:
    with pytest.raises(TypeError):
        format_money(D("1.5"), "CNY", "en", minor=True)


def test_format_money_rejects_unknown_currency_and_locale() -> None:
    with pytest.raises(ValueError, match="currency"):
        format_money(D("1"), "XYZ", "en")
    with pytest.raises(UnknownLocaleError):
        format_money(D("1"), "CNY", "fr")


def test_format_money_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        format_money(D("NaN"), "CNY", "en")


@pytest.mark.parametrize(
    ("value", "locale", "digits", "expected"),
    [
        (D("1234567.5"), "en", None, "1,234,567.5"),
        (D("1234567.5"), "zh_CN", None, "1,234,567.5"),
        (1234, "en", None, "1,234"),
        (0.1, "en", None, "0.1"),
        (D("0.0625"), "en", None, "0.063"),  # three decimals, half up
        (3, "en", 2, "3.00"),
        (D("2.675"), "zh_CN", 2, "2.68"),
        (D("-0.004"), "en", 2, "0.00"),
        (D("12345.5"), "en", 0, "12,346"),
        (-1234567, "zh_CN", None, "-1,234,567"),
    ],
)
def test_format_number(
    value: Decimal | int | float, locale: str, digits: int | None, expected: str
) -> None:
    assert format_number(value, locale, digits) == expected


@pytest.mark.parametrize(
    ("fraction", "locale", "digits", "expected"),
    [
        (0.253, "en", 1, "25.3%"),
        (0.253, "zh_CN", 1, "25.3%"),
        (0.2545, "en", 1, "25.5%"),  # 25.45 half up (half-even would say 25.4)
        (1, "en", 1, "100.0%"),
        (0, "zh_CN", 1, "0.0%"),
        (-0.05, "en", 1, "-5.0%"),
        (0.255, "en", 0, "26%"),
        (12.345, "en", 1, "1,234.5%"),
        (D("0.1234"), "zh_CN", 2, "12.34%"),
    ],
)
def test_format_percent(
    fraction: float | Decimal | int, locale: str, digits: int, expected: str
) -> None:
    assert format_percent(fraction, locale, digits) == expected


SATURDAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("en", "medium", "Nov 28, 2026"),
        ("en", "short", "11/28/26"),
        ("en", "long", "November 28, 2026"),
        ("en", "full", "Saturday, November 28, 2026"),
        ("zh_CN", "medium", "2026年11月28日"),
        ("zh_CN", "short", "2026/11/28"),
        ("zh_CN", "full", "2026年11月28日星期六"),
    ],
)
def test_format_date(locale: str, style: str, expected: str) -> None:
    assert format_date(SATURDAY, locale, style) == expected  # type: ignore[arg-type]


def test_format_date_default_style_and_errors() -> None:
    assert format_date(SATURDAY, "zh") == "2026年11月28日"
    with pytest.raises(ValueError, match="date style"):
        format_date(SATURDAY, "en", "huge")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("locale", "quarter", "month", "expected"),
    [
        ("en", None, None, "2026"),
        ("en", 1, None, "Q1 2026"),
        ("en", 4, None, "Q4 2026"),
        ("en", None, 11, "Nov 2026"),
        ("zh_CN", None, None, "2026年"),
        ("zh_CN", 4, None, "2026年第4季度"),
        ("zh_CN", None, 11, "2026年11月"),
    ],
)
def test_format_period(locale: str, quarter: int | None, month: int | None, expected: str) -> None:
    assert format_period(2026, locale, quarter=quarter, month=month) == expected


@pytest.mark.parametrize(("quarter", "month"), [(1, 1), (0, None), (5, None), (None, 13)])
def test_format_period_rejects_bad_periods(quarter: int | None, month: int | None) -> None:
    with pytest.raises(ValueError):
        format_period(2026, "en", quarter=quarter, month=month)
