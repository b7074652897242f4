"""Plain-number amounts read in Polars give exactly what the per-text parser gives."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplan.ingest import amounts
from salesplan.ingest import values as v


def _minor(cells: Sequence[str | None], exponents: list[int]) -> list[int | None]:
    minor, read = amounts.plain_minor(pl.Series(list(cells), dtype=pl.String), pl.Series(exponents))
    return [m if r else None for m, r in zip(minor.to_list(), read.to_list(), strict=True)]


def test_plain_numbers_become_exact_minor_units() -> None:
    # 12.50 EUR = 1250 cents; -3 JPY = -3 yen; 007.05 = 705 cents; 1.500 = 150 cents (trailing
    # zeros are not decimals); 1.234 KWD (3 places) = 1234 fils; -0.00 = 0.
    cells = ["12.50", "-3", "007.05", "1.500", "1.234", "-0.00"]
    assert _minor(cells, [2, 0, 2, 2, 3, 2]) == [1250, -3, 705, 150, 1234, 0]


def test_other_cells_are_left_to_the_parser() -> None:
    # Too many decimals for the currency (12.5 yen), symbols, separators, signs, spaces,
    # non-ASCII digits, 15 whole digits (could overflow Int64 × 10^4), empty and null.
    cells = ["12.5", "$12", "1,234", "+5", " 12", "１２", "123456789012345", "12.", "", None]
    assert _minor(cells, [0] * len(cells)) == [None] * len(cells)
    assert amounts.plain_cells(pl.Series(cells), None).to_list() == [True] + [False] * 9


def test_a_comma_decimal_mark_leaves_dotted_cells_to_the_parser() -> None:
    # Under a comma mark `1.250` is one thousand two hundred and fifty, not 1.25.
    cells = pl.Series(["1.250", "12", "-7"])
    assert amounts.plain_cells(cells, ",").to_list() == [False, True, True]


def test_decimal_dot_evidence_matches_the_parser() -> None:
    plain = pl.Series([True, True])
    # `1.250` could be a grouped thousand: no evidence; `12.5` can only be a decimal dot.
    assert not amounts.shows_decimal_dot(pl.Series(["1.250", "3"]), plain)
    assert amounts.shows_decimal_dot(pl.Series(["1.250", "12.5"]), plain)
    assert v.infer_decimal_mark(["1.250"]) is None
    assert v.infer_decimal_mark(["1.250"], dot=True) == "."
    assert v.infer_decimal_mark(["12,5"], dot=True) == "conflict"


@settings(max_examples=300, deadline=None)
@given(
    whole=st.integers(0, 10**14 - 1),
    decimals=st.text("0123456789", max_size=6),
    negative=st.booleans(),
    exponent=st.sampled_from([0, 2, 3, 4]),
)
def test_same_as_the_parser(whole: int, decimals: str, negative: bool, exponent: int) -> None:
    text = ("-" if negative else "") + str(whole) + (f".{decimals}" if decimals else "")
    [got] = _minor([text], [exponent])
    value = v.parse_amount(text, None).value
    scaled = value.scaleb(exponent)
    expected = int(scaled) if scaled == scaled.to_integral_value() else None
    assert got == expected
    if got is not None:
        assert Decimal(got).scaleb(-exponent) == value
