"""Exact plan-currency conversion, checked against amounts worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.currency import MissingRateError, to_plan_currency

EXP = {"CNY": 2, "USD": 2, "JPY": 0, "EUR": 2}
RATES = pl.DataFrame(
    {
        "currency": ["USD", "USD", "JPY", "EUR"],
        "valid_from": [dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2025, 1, 1),
                       dt.date(2025, 1, 1)],
        "rate": ["7.1", "7.5", "0.048", "7.8"],
    }
)  # fmt: skip


def _convert(rows: dict[str, list[object]]) -> list[int | None]:
    frame = pl.DataFrame(rows, schema_overrides={"amount_minor": pl.Int64, "day": pl.Date})
    return to_plan_currency(frame, RATES, "CNY", EXP, on="day")["amount_plan_minor"].to_list()


def test_rates_apply_by_date_and_minor_units_shift_for_zero_decimal_currencies() -> None:
    got = _convert(
        {
            "amount_minor": [100_00, 100_00, 1000, 5_00, 123_45],
            "currency": ["USD", "USD", "JPY", "CNY", "USD"],
            "day": [dt.date(2025, 3, 1), dt.date(2025, 8, 1), dt.date(2025, 3, 1),
                    dt.date(2025, 3, 1), dt.date(2024, 6, 1)],
        }
    )  # fmt: skip
    # $100 at 7.1 = ¥710.00; $100 at 7.5 (rate from July) = ¥750.00;
    # ¥1000 JPY (no minor unit) at 0.048 = ¥48.00 CNY; ¥5.00 CNY stays;
    # a date before the first USD rate uses the earliest one: $123.45 × 7.1 = ¥876.495 → 87650
    # (half-even on the fen: 87649.5 → 87650).
    assert got == [710_00, 750_00, 48_00, 5_00, 876_50]


def test_rounding_is_half_even_on_the_minor_unit() -> None:
    got = _convert(
        {
            "amount_minor": [1, 3, 5],
            "currency": ["USD", "USD", "USD"],
            "day": [dt.date(2025, 8, 1)] * 3,
        }
    )
    # 1 × 7.5 = 7.5 → 8; 3 × 7.5 = 22.5 → 22; 5 × 7.5 = 37.5 → 38
    assert got == [8, 22, 38]


def test_order_of_rows_is_kept_and_nulls_stay_null() -> None:
    got = _convert(
        {
            "amount_minor": [None, 2_00, 1_00],
            "currency": ["USD", "EUR", "USD"],
            "day": [dt.date(2025, 8, 1), dt.date(2025, 8, 1), dt.date(2025, 3, 1)],
        }
    )
    assert got == [None, 15_60, 7_10]


def test_amounts_beyond_float_precision_convert_exactly() -> None:
    big = 9_007_199_254_740_993  # 2**53 + 1
    got = _convert({"amount_minor": [big], "currency": ["USD"], "day": [dt.date(2025, 3, 1)]})
    # 9007199254740993 × 7.1 = 63951114708661050.3 (Decimal arithmetic) → 63951114708661050
    assert got == [63_951_114_708_661_050]


def test_a_currency_without_any_rate_is_named() -> None:
    with pytest.raises(MissingRateError) as caught:
        _convert({"amount_minor": [1], "currency": ["GBP"], "day": [dt.date(2025, 3, 1)]})
    assert caught.value.currencies == ["GBP"]
