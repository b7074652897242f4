"""Cell text → typed values: every date and amount form of DATA.md, checked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesplan.ingest.values import (
    AmbiguousDateError,
    ParseError,
    infer_day_order,
    infer_decimal_mark,
    parse_amount,
    parse_bool,
    parse_currency,
    parse_date,
    parse_fraction,
    parse_instant,
    percent_scale,
    to_minor,
)

D = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-11-28", None, D),
        ("2026/11/28", None, D),
        ("2026.11.28", None, D),
        ("11/28/2026", None, D),
        ("28/11/2026", None, D),
        ("28.11.2026", None, D),
        ("2026年11月28日", None, D),
        ("2026年11月28日 09:30", None, D),
        ("46354", None, D),  # Excel serial
        ("46354.75", None, D),
        ("2018-08-22 00:00:00", None, dt.date(2018, 8, 22)),
        ("2026-11-28T23:30:00+08:00", None, D),  # a date field keeps the date as written
        ("15 Apr, 2021 00:02:00", None, dt.date(2021, 4, 15)),
        ("Apr 15, 2021", None, dt.date(2021, 4, 15)),
        ("15-Apr-2021", None, dt.date(2021, 4, 15)),
        ("20261128", None, D),
        ("03/04/2026", "dmy", dt.date(2026, 4, 3)),
        ("03/04/2026", "mdy", dt.date(2026, 3, 4)),
        ("04/04/2026", None, dt.date(2026, 4, 4)),  # same either way
    ],
)
def test_dates(text: str, order: str | None, expected: dt.date) -> None:
    assert parse_date(text, order) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T10:00:00Z", dt.datetime(2026, 11, 28, 10)),
        ("2026-11-28T10:00:00+08:00", dt.datetime(2026, 11, 28, 2)),
        ("2026-11-28 01:00:00-05:00", dt.datetime(2026, 11, 28, 6)),
        ("2026-11-28T10:00:00.123456Z", dt.datetime(2026, 11, 28, 10, 0, 0, 123456)),
        ("11/28/2026 3:15 PM", dt.datetime(2026, 11, 28, 15, 15)),
        ("46354.5", dt.datetime(2026, 11, 28, 12)),
        ("15 Apr, 2021 00:02:00", dt.datetime(2021, 4, 15, 0, 2)),
    ],
)
def test_instants_are_naive_utc(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "31/31/2026", "soon", "13:00", "2026-11-28T25:00"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ParseError):
        parse_date(text)


def test_ambiguous_date_needs_a_hint() -> None:
    with pytest.raises(AmbiguousDateError) as info:
        parse_date("03/04/2026")
    assert info.value.params == {"value": "03/04/2026"}
    assert "{column}" in info.value.message_id


def test_day_order_is_inferred_from_a_part_above_12() -> None:
    assert infer_day_order(["03/04/2026", "28/11/2026"]) == "dmy"
    assert infer_day_order(["03/04/2026", "11/28/2026"]) == "mdy"
    assert infer_day_order(["03/04/2026", "2026-11-28"]) is None
    assert infer_day_order(["28/11/2026", "11/28/2026"]) == "conflict"


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1234.5", "1234.5", None),
        ("1,234.50", "1234.50", None),
        ("1.234,50", "1234.50", None),
        ("¥1,234", "1234", "CNY"),
        ("￥1,234", "1234", "CNY"),
        ("$1.2K", "1200", "USD"),
        ("12.5万", "125000", None),
        ("12.5万元", "125000", "CNY"),
        ("1.2亿", "120000000", None),
        ("(1,200)", "-1200", None),
        ("-$5", "-5", "USD"),
        ("$22,700.00", "22700", "USD"),
        ("USD 1,000", "1000", "USD"),
        ("1 000,5 EUR", "1000.5", "EUR"),
        ("€ 1.234,50", "1234.50", "EUR"),
        ("12,5", "12.5", None),
        ("1.234.567", "1234567", None),
        ("HK$300", "300", "HKD"),
        ("3M", "3000000", None),
    ],
)
def test_amounts(text: str, value: str, currency: str | None) -> None:
    amount = parse_amount(text)
    assert amount.value == Decimal(value)
    assert amount.currency == currency


def test_decimal_mark_changes_the_reading() -> None:
    assert parse_amount("1,234").value == Decimal(1234)
    assert parse_amount("1,234", decimal=",").value == Decimal("1.234")
    assert parse_amount("1.234", decimal=",").value == Decimal(1234)
    assert infer_decimal_mark(["1.234,50", "99"]) == ","
    assert infer_decimal_mark(["1,234.50", "99"]) == "."
    assert infer_decimal_mark(["1,234"]) is None


def test_dollar_and_yen_follow_the_default_currency() -> None:
    assert parse_amount("$5", default="SGD").currency == "SGD"
    assert parse_amount("¥5", default="JPY").currency == "JPY"
    assert parse_amount("¥5", default="USD").currency == "CNY"


@pytest.mark.parametrize("text", ["abc", "1,2,3", "$", "1.2.3,4.5", "--5", "1e5", "NaN", "12..5"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ParseError):
        parse_amount(text)


def test_minor_units_are_exact_and_never_rounded() -> None:
    assert to_minor(Decimal("1234.50"), "CNY", "1234.50") == 123450
    assert to_minor(Decimal("0.1") + Decimal("0.2"), "USD", "x") == 30
    assert to_minor(Decimal(1500), "JPY", "1500") == 1500
    assert to_minor(Decimal("123456789012345.67"), "CNY", "x") == 12345678901234567
    with pytest.raises(ParseError):
        to_minor(Decimal("1.005"), "CNY", "1.005")
    with pytest.raises(ParseError):
        to_minor(Decimal("1.5"), "JPY", "1.5")


def test_booleans_currencies_fractions() -> None:
    assert [parse_bool(t) for t in ("1", "0", "true", "FALSE", "是", "否")] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    with pytest.raises(ParseError):
        parse_bool("maybe")
    assert parse_currency("usd") == "USD"
    assert parse_currency("人民币") == "CNY"
    with pytest.raises(ParseError):
        parse_currency("XYZ")
    assert parse_fraction("25", percent=True) == 0.25
    assert parse_fraction("25%", percent=False) == 0.25
    assert parse_fraction("0.25", percent=False) == 0.25
    with pytest.raises(ParseError):
        parse_fraction("250%", percent=False)
    assert percent_scale(["10", "0"]) is True
    assert percent_scale(["0.1", "1"]) is False
