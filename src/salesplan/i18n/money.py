"""Exact money arithmetic helpers: amounts are `Decimal` or integer minor units, never float.

An amount in *minor units* is an `int` counting the currency's smallest unit (fen for CNY,
cents for USD, yen for JPY). How many decimal places a currency has (its ISO 4217 exponent)
comes from Babel's CLDR data.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision, is_currency

__all__ = [
    "currency_exponent",
    "decimal_to_minor",
    "minor_to_decimal",
    "normalise_currency",
    "parse_decimal_exact",
    "round_to_currency",
]


def normalise_currency(currency: str) -> str:
    """Return the upper-case ISO 4217 code, or raise ValueError for an unknown one."""
    if not isinstance(currency, str):
        raise TypeError(f"a currency code must be a str, got {type(currency).__name__}")
    code = currency.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not is_currency(code):
        raise ValueError(f"unknown currency code {currency!r}; expected ISO 4217 like CNY or USD")
    return code


def currency_exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit: CNY 2, USD 2, JPY 0, BHD 3."""
    return int(get_currency_precision(normalise_currency(currency)))


def _check_exact(value: object, what: str) -> None:
    # bool is an int subclass and float is inexact: both are refused for money.
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what} must be Decimal or int, never {type(value).__name__}")


def minor_to_decimal(minor: int, currency: str) -> Decimal:
    """Turn integer minor units into a Decimal with exactly the currency's decimal places.

    `minor_to_decimal(123456, "CNY") == Decimal("1234.56")`; the result keeps the currency
    scale, so `minor_to_decimal(100, "CNY")` is `Decimal("1.00")`. Exact for any size.
    """
    _check_exact(minor, "minor units")
    if not isinstance(minor, int):
        raise TypeError(f"minor units must be an int, got {type(minor).__name__}")
    exponent = currency_exponent(currency)
    sign, digits, _ = Decimal(minor).as_tuple()
    return Decimal((sign, digits, -exponent))


def decimal_to_minor(amount: Decimal | int, currency: str) -> int:
    """Turn an amount into integer minor units, exactly.

    Raises ValueError when the amount has more (non-zero) decimal places than the currency
    allows, e.g. `Decimal("1.005")` CNY or `Decimal("1.5")` JPY: nothing is rounded silently.
    Trailing zeros are fine: `Decimal("1.500")` CNY is 150.
    """
    _check_exact(amount, "an amount")
    if isinstance(amount, int):
        amount = Decimal(amount)
    if not isinstance(amount, Decimal):
        raise TypeError(f"an amount must be Decimal or int, got {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"an amount must be a finite number, got {amount}")
    exponent = currency_exponent(currency)
    sign, digits, exp = amount.as_tuple()
    assert isinstance(exp, int)  # finite, checked above
    coefficient = int("".join(map(str, digits)))
    shift = exp + exponent
    if shift >= 0:
        minor = coefficient * int(10**shift)
    else:
        minor, remainder = divmod(coefficient, int(10**-shift))
        if remainder:
            raise ValueError(
                f"{amount} has more decimal places than {normalise_currency(currency)} "
                f"allows ({exponent})"
            )
    return -minor if sign else minor


def round_to_currency(amount: Decimal | int, currency: str) -> Decimal:
    """Round a computed amount (an average, a share) to the currency's places, half up.

    For display and for explicit rounding steps only; stored amounts go through
    `decimal_to_minor`, which refuses to round.
    """
    _check_exact(amount, "an amount")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"an amount must be a finite number, got {value}")
    quantum = Decimal((0, (1,), -currency_exponent(currency)))
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded


_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?|[+-]?\.\d+", re.ASCII)


def parse_decimal_exact(text: str) -> Decimal:
    """Parse a plain decimal number written with ASCII digits, exactly (no float on the way).

    Accepts an optional sign, an optional `.` fraction and optional `,` thousands grouping in
    groups of three (`"1,234,567.89"`); surrounding blanks are ignored. Refuses exponents,
    `NaN`/`Infinity`, currency symbols, locale-specific separators and anything else with a
    ValueError, since guessing would risk reading 1.234 as one thousand.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    stripped = text.strip()
    if not _PLAIN_DECIMAL.fullmatch(stripped):
        raise ValueError(f"not a plain decimal number: {text!r}")
    return Decimal(stripped.replace(",", ""))
