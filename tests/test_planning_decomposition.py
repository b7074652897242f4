"""Splits that add up to the cent: largest remainder, locked cells, year and table splits.

Expected values are worked by hand in the comments (amounts in minor units, fen).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesplan.planning.decomposition import (
    InfeasibleSplit,
    allocate,
    manual_distribution,
    split_table,
    split_year,
)

ONE_MILLION_AND_A_FEN = 100_000_001  # ¥1,000,000.01


def test_seven_reps_split_a_million_and_one_fen() -> None:
    # 100,000,001 ÷ 7 = 14,285,714.43 → floors 7 × 14,285,714 = 99,999,998, 3 fen left;
    # equal remainders, so the first three reps get one fen more.
    parts = allocate(ONE_MILLION_AND_A_FEN, [1] * 7)
    assert parts == [14_285_715] * 3 + [14_285_714] * 4
    assert sum(parts) == ONE_MILLION_AND_A_FEN


def test_largest_remainder_goes_to_the_largest_fraction() -> None:
    # 1001 × (0.5, 0.3, 0.2) = 500.5, 300.3, 200.2 → floors 1000, the unit goes to 500.5.
    assert allocate(1001, [Decimal("0.5"), Decimal("0.3"), Decimal("0.2")]) == [501, 300, 200]
    # 100 in thirds: 33.33 each, one unit left → the first part.
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # Zero weights split evenly; a negative total mirrors the positive split.
    assert allocate(10, [0, 0]) == [5, 5]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


def test_year_split_of_a_million_and_one_fen_over_flat_months() -> None:
    # Quarters: 100,000,001 ÷ 4 = 25,000,000.25 → Q1 gets the extra fen.
    # Q1 months: 25,000,001 ÷ 3 = 8,333,333.67 → 2 fen left → Jan, Feb get 8,333,334.
    # Q2–Q4 months: 25,000,000 ÷ 3 = 8,333,333.33 → 1 fen left → first month of the quarter.
    split = split_year(ONE_MILLION_AND_A_FEN, [1] * 12)
    assert split.quarters == (25_000_001, 25_000_000, 25_000_000, 25_000_000)
    assert split.months[:3] == (8_333_334, 8_333_334, 8_333_333)
    assert split.months[3:6] == (8_333_334, 8_333_333, 8_333_333)
    assert sum(split.months) == ONE_MILLION_AND_A_FEN
    for q in range(4):
        assert sum(split.months[3 * q : 3 * q + 3]) == split.quarters[q]


def test_seven_reps_by_twelve_months_reconcile_both_ways() -> None:
    months = split_year(ONE_MILLION_AND_A_FEN, [1] * 12).months
    reps = allocate(ONE_MILLION_AND_A_FEN, [3, 1, 1, 1, 1, 1, 1])
    grid = split_table(reps, months)
    assert [sum(row) for row in grid] == reps
    assert [sum(col) for col in zip(*grid, strict=True)] == list(months)
    # Every cell is within one fen of rep × month ÷ total.
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            assert abs(cell - reps[i] * months[j] / ONE_MILLION_AND_A_FEN) < 1


def test_manual_distribution_must_sum_to_100() -> None:
    # Quarters: 5+5+10 = 20, 8+8+9 = 25, 7+7+8 = 22, 10+10+13 = 33 → 100%.
    percentages = [Decimal(v) for v in (5, 5, 10, 8, 8, 9, 7, 7, 8, 10, 10, 13)]
    split = split_year(100_000_000, manual_distribution(percentages))
    assert split.quarters == (20_000_000, 25_000_000, 22_000_000, 33_000_000)
    assert split.months[0] == 5_000_000  # 5% of ¥1,000,000.00
    assert split.months[11] == 13_000_000
    with pytest.raises(InfeasibleSplit):
        manual_distribution([Decimal("8.3")] * 12)  # 99.6%
    with pytest.raises(InfeasibleSplit):
        manual_distribution([Decimal(10)] * 10)


def test_locked_cells_fix_their_amount_and_the_rest_re_spreads() -> None:
    # 1000 over four equal parts with part 0 locked at 400: 600 left → 200 each.
    assert allocate(1000, [1, 1, 1, 1], {0: 400}) == [400, 200, 200, 200]
    # Weights 2:1:1, middle locked at 100 → 900 left over weights 2 and 1 → 600, 300.
    assert allocate(1000, [2, 1, 1], {1: 100}) == [600, 100, 300]
    with pytest.raises(InfeasibleSplit):
        allocate(1000, [1, 1], {0: 1001})
    with pytest.raises(InfeasibleSplit):
        allocate(1000, [1, 1], {0: 500, 1: 400})


def test_locked_months_re_spread_the_year() -> None:
    # ¥1,200.00 flat, March locked at ¥300.00: 90,000 fen left over 11 months → 8,181.82;
    # floors 11 × 8,181 = 89,991, 9 fen left → the first nine unlocked months get 8,182.
    split = split_year(120_000, [1] * 12, {2: 30_000})
    assert split.months[2] == 30_000
    unlocked = [v for i, v in enumerate(split.months) if i != 2]
    assert unlocked == [8_182] * 9 + [8_181] * 2
    assert sum(split.months) == 120_000
    assert split.quarters[0] == 8_182 + 8_182 + 30_000


@given(
    total=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=15),
    months=st.lists(st.integers(min_value=0, max_value=1000), min_size=12, max_size=12),
)
def test_every_split_adds_up_exactly(total: int, weights: list[int], months: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    split = split_year(total, months)
    assert sum(split.months) == total == sum(split.quarters)
    grid = split_table(parts, split.months)
    assert [sum(r) for r in grid] == parts
    assert [sum(c) for c in zip(*grid, strict=True)] == list(split.months)
    assert all(cell >= 0 for row in grid for cell in row)
