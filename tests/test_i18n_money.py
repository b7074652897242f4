"""Exact money helpers: minor units <-> Decimal, no floats, no silent rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesplan.i18n.money import (
    currency_exponent,
    decimal_to_minor,
    minor_to_decimal,
    normalise_currency,
    parse_decimal_exact,
    round_to_currency,
)

CURRENCIES = ["CNY", "USD", "JPY", "BHD"]


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("CNY", 2), ("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("cny", 2)],
)
def test_currency_exponent(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize("bad", ["XYZ", "CN", "CNYY", "", "¥", "C1Y"])
def test_unknown_currency_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="currency"):
        currency_exponent(bad)


def test_normalise_currency() -> None:
    assert normalise_currency(" usd ") == "USD"


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (123456, "CNY", "1234.56"),
        (100, "CNY", "1.00"),  # keeps the currency scale
        (0, "USD", "0.00"),
        (-5, "USD", "-0.05"),
        (1234, "JPY", "1234"),
        (1, "BHD", "0.001"),
        (10**40 + 1, "CNY", "1" + "0" * 38 + ".01"),  # exact far beyond float or context
    ],
)
def test_minor_to_decimal(minor: int, currency: str, text: str) -> None:
    result = minor_to_decimal(minor, currency)
    assert str(result) == text
    assert result == Decimal(text)


@pytest.mark.parametrize("bad", [1.5, True, Decimal("1"), "100"])
def test_minor_to_decimal_wants_an_int(bad: object) -> None:
    with pytest.raises(TypeError):
        minor_to_decimal(bad, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("1234.56"), "CNY", 123456),
        (Decimal("1.5"), "CNY", 150),
        (Decimal("1.500"), "CNY", 150),  # trailing zeros are not extra precision
        (Decimal("-0.05"), "USD", -5),
        (Decimal("1E+3"), "CNY", 100000),
        (Decimal("-0"), "CNY", 0),
        (7, "CNY", 700),
        (Decimal("1234"), "JPY", 1234),
        (Decimal("0.001"), "BHD", 1),
    ],
)
def test_decimal_to_minor(amount: Decimal | int, currency: str, minor: int) -> None:
    assert decimal_to_minor(amount, currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (Decimal("1.005"), "CNY"),
        (Decimal("0.001"), "USD"),
        (Decimal("-12.345"), "CNY"),
        (Decimal("1.5"), "JPY"),
        (Decimal("0.0001"), "BHD"),
    ],
)
def test_too_many_decimals_are_rejected_not_rounded(amount: Decimal, currency: str) -> None:
    with pytest.raises(ValueError, match="more decimal places"):
        decimal_to_minor(amount, currency)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_amounts_are_rejected(bad: Decimal) -> None:
    with pytest.raises(ValueError):
        decimal_to_minor(bad, "CNY")


@pytest.mark.parametrize("bad", [1.25, True, "1.25"])
def test_decimal_to_minor_refuses_floats_and_others(bad: object) -> None:
    with pytest.raises(TypeError):
        decimal_to_minor(bad, "CNY")  # type: ignore[arg-type]


@given(minor=st.integers(), currency=st.sampled_from(CURRENCIES))
def test_minor_round_trip(minor: int, currency: str) -> None:
    assert decimal_to_minor(minor_to_decimal(minor, currency), currency) == minor


@given(
    amount=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    currency=st.sampled_from(["CNY", "USD"]),
)
def test_decimal_round_trip(amount: Decimal, currency: str) -> None:
    assert minor_to_decimal(decimal_to_minor(amount, currency), currency) == amount


@given(
    minor=st.integers(min_value=-(10**30), max_value=10**30),
    extra=st.integers(min_value=1, max_value=9),
    currency=st.sampled_from(CURRENCIES),
)
def test_one_more_digit_is_always_rejected(minor: int, extra: int, currency: str) -> None:
    # minor units followed by one non-zero digit: exactly one decimal place too many.
    # Built from a tuple, since Decimal arithmetic would round to the context's 28 digits.
    digits = tuple(int(c) for c in str(abs(minor) * 10 + extra))
    amount = Decimal((int(minor < 0), digits, -(currency_exponent(currency) + 1)))
    with pytest.raises(ValueError):
        decimal_to_minor(amount, currency)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("0.005"), "CNY", "0.01"),  # half up (half-even would give 0.00)
        (Decimal("2.675"), "USD", "2.68"),  # the float 2.675 would round to 2.67
        (Decimal("-0.005"), "CNY", "-0.01"),
        (Decimal("-0.004"), "CNY", "0.00"),  # no negative zero
        (Decimal("2.5"), "JPY", "3"),
        (12, "CNY", "12.00"),
    ],
)
def test_round_to_currency(amount: Decimal | int, currency: str, text: str) -> None:
    assert str(round_to_currency(amount, currency)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", Decimal("1234.56")),
        (" -1,234,567.89 ", Decimal("-1234567.89")),
        ("+.5", Decimal("0.5")),
        ("1,234", Decimal("1234")),
        ("0", Decimal("0")),
        ("0.1", Decimal(1) / Decimal(10)),
        ("12345678901234567890.123456789", Decimal("12345678901234567890.123456789")),
    ],
)
def test_parse_decimal_exact(text: str, expected: Decimal) -> None:
    result = parse_decimal_exact(text)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    "bad",
    [
        *("", " ", "1e3", "NaN", "Infinity", "1,23", "12,34.5", "1234,567"),
        *("¥12", "1.2.3", "１２", "1 234", "1.", "--1"),
    ],
)
def test_parse_decimal_exact_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a plain decimal"):
        parse_decimal_exact(bad)
