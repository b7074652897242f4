"""The forecast's lean loading gives exactly analytics.currency.to_plan_currency's amounts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from salesplan.analytics.currency import MissingRateError, to_plan_currency
from salesplan.forecast.loading import CHUNK_ROWS, event_amounts, plan_amounts

D = dt.date
RATES = pl.DataFrame(
    {
        "currency": ["USD", "USD", "EUR"],
        "valid_from": [D(2025, 1, 1), D(2025, 7, 1), D(2025, 1, 1)],
        "rate": ["7.1", "7.25", "7.8"],
    }
)
EXPONENTS = {"CNY": 2, "USD": 2, "EUR": 2, "JPY": 0}


def test_plan_amounts_match_to_plan_currency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("salesplan.forecast.loading.CHUNK_ROWS", 2)  # several chunks
    assert CHUNK_ROWS > 2
    frame = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f", "g"],
            "amount_minor": [100_00, 333, None, 50_00, 1, 7_77, 12_34],
            "currency": ["USD", "USD", "EUR", "CNY", None, "EUR", "USD"],
            # A missing day takes the frame's earliest (2025-02-01), as to_plan_currency does.
            "close_date": [
                D(2025, 2, 1),
                D(2025, 8, 1),
                D(2025, 3, 1),
                None,
                D(2025, 3, 1),
                None,
                D(2025, 7, 1),
            ],
        }
    )
    expected = to_plan_currency(frame, RATES, "CNY", EXPONENTS, on="close_date")
    got = plan_amounts(frame, RATES, "CNY", EXPONENTS, on="close_date")
    assert got["amount_plan_minor"].to_list() == expected["amount_plan_minor"].to_list()
    # By hand: 100.00 USD × 7.1 = 710.00 CNY; 3.33 × 7.25 = 24.1425 → 24.14; null stays null;
    # CNY unchanged; no currency → null; 7.77 EUR on 2025-02-01 × 7.8 = 60.606 → 60.61.
    assert got["amount_plan_minor"].to_list()[:6] == [710_00, 24_14, None, 50_00, None, 60_61]


def test_event_amounts_convert_in_the_deals_currency_and_drop_unknown_deals() -> None:
    deals = pl.DataFrame({"id": ["a", "b"], "currency": ["USD", "CNY"]})
    events = pl.DataFrame(
        {
            "opportunity_id": ["a", "a", "b", "zz"],
            "stage_code": [10, 20, 10, 10],
            "entered_at": [
                dt.datetime(2025, 6, 30, 9),
                dt.datetime(2025, 7, 2),
                dt.datetime(2025, 1, 5),
                dt.datetime(2025, 1, 5),
            ],
            "amount_minor": [10_00, 10_00, 5_00, 1],
            "close_date": [None, None, None, None],
        },
        schema_overrides={"stage_code": pl.Int32, "close_date": pl.Date},
    )
    got = event_amounts(events, deals, RATES, "CNY", EXPONENTS)
    # 10.00 USD at 7.1 (30 June) and at 7.25 (2 July); CNY unchanged; deal zz unknown.
    assert got["opportunity_id"].to_list() == ["a", "a", "b"]
    assert got["amount_plan_minor"].to_list() == [71_00, 72_50, 5_00]


def test_a_currency_without_any_rate_is_named() -> None:
    frame = pl.DataFrame({"amount_minor": [1], "currency": ["JPY"], "close_date": [D(2025, 1, 1)]})
    with pytest.raises(MissingRateError):
        plan_amounts(frame, RATES, "CNY", EXPONENTS, on="close_date")
