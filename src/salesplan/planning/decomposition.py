"""Splitting a target into parts that add up exactly, in integer minor units.

Every split here reconciles to its parent to the last minor unit (fen, cent):

- `allocate(total, weights)`: the largest-remainder (Hamilton) method. Each part first gets
  floor(total × wᵢ ÷ Σw); the units left over (fewer than the number of parts) go one each to
  the parts with the largest fractional remainders, ties to the earlier part. Weights are
  converted to exact fractions, so the result never depends on float rounding.
- Locked cells: a manager fixes some parts; the rest of the total is re-spread over the
  unlocked parts by their weights (`allocate(..., locked={i: amount})`).
- `split_year`: annual → quarters → months by a seasonality index or a manual 12-month
  distribution; each quarter is allocated from the year and each month from its quarter.
- `split_table`: a group × month grid whose rows add up to the group totals and whose
  columns add up to the month totals (controlled rounding, see the function).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Weight = int | float | Decimal | Fraction


class InfeasibleSplit(ValueError):
    """The split asked for cannot be made (negative weights, locks above the total…)."""


def _fraction(value: Weight) -> Fraction:
    result = Fraction(value)
    if result < 0:
        raise InfeasibleSplit(f"weights must not be negative, got {value}")
    return result


def allocate(
    total: int, weights: Sequence[Weight], locked: Mapping[int, int] | None = None
) -> list[int]:
    """Split integer `total` in proportion to `weights`; parts sum exactly to `total`.

    `locked` maps part indexes to fixed amounts; the remainder is spread over the other parts.
    All-zero weights (among the unlocked parts) split evenly. A negative total is split as
    the negation of the split of its absolute value.
    """
    locked = dict(locked or {})
    if any(i < 0 or i >= len(weights) for i in locked):
        raise InfeasibleSplit("a locked index is out of range")
    if total < 0 and not locked:
        return [-part for part in allocate(-total, weights)]
    free = [i for i in range(len(weights)) if i not in locked]
    rest = total - sum(locked.values())
    if not free:
        if rest != 0:
            raise InfeasibleSplit("every part is locked but the locks do not add up to the total")
        return [locked[i] for i in range(len(weights))]
    if rest < 0:
        raise InfeasibleSplit("the locked parts add up to more than the total")
    exact = [_fraction(weights[i]) for i in free]
    if sum(exact) == 0:
        exact = [Fraction(1)] * len(free)
    denominator = sum(exact)
    shares = [rest * w / denominator for w in exact]
    floors = [math.floor(s) for s in shares]
    left = rest - sum(floors)
    order = sorted(range(len(free)), key=lambda k: (-(shares[k] - floors[k]), k))
    for k in order[:left]:
        floors[k] += 1
    result = dict(locked)
    result.update({i: floors[k] for k, i in enumerate(free)})
    return [result[i] for i in range(len(weights))]


@dataclass(frozen=True, slots=True)
class YearSplit:
    quarters: tuple[int, int, int, int]
    months: tuple[int, ...]
    """Twelve amounts, January first."""


def split_year(
    total: int, month_weights: Sequence[Weight], locked_months: Mapping[int, int] | None = None
) -> YearSplit:
    """Annual → quarters → months (minor units).

    Without locks each quarter gets its share of the year (the sum of its three month
    weights) and each month its share of the quarter. With locked months (index 0–11 →
    amount) the months are allocated from the year directly, the locked ones fixed, and each
    quarter is the sum of its months. Either way every level adds up exactly.
    """
    if len(month_weights) != 12:
        raise InfeasibleSplit("a year split needs twelve month weights")
    weights = [_fraction(w) for w in month_weights]
    if locked_months:
        months = allocate(total, weights, locked_months)
        quarters = [sum(months[3 * q : 3 * q + 3]) for q in range(4)]
    else:
        quarters = allocate(total, [sum(weights[3 * q : 3 * q + 3]) for q in range(4)])
        months = []
        for q, amount in enumerate(quarters):
            months += allocate(amount, weights[3 * q : 3 * q + 3])
    return YearSplit((quarters[0], quarters[1], quarters[2], quarters[3]), tuple(months))


def manual_distribution(percentages: Sequence[Decimal]) -> list[Fraction]:
    """Month weights from twelve percentages that must add up to exactly 100."""
    if len(percentages) != 12:
        raise InfeasibleSplit("a manual distribution needs twelve values")
    values = [_fraction(p) for p in percentages]
    if sum(values) != 100:
        raise InfeasibleSplit("a manual distribution must add up to 100%")
    return [v / 100 for v in values]


def split_table(row_totals: Sequence[int], column_totals: Sequence[int]) -> list[list[int]]:
    """A grid with exact margins: row i sums to row_totals[i], column j to column_totals[j].

    The exact cell is xᵢⱼ = rᵢ × cⱼ ÷ T (T = the common grand total), whose rows and columns
    already add up exactly. Each cell starts at floor(xᵢⱼ); the units still missing per row
    are given, row by row, to the columns with the most units still missing (ties: larger
    fractional part, then the earlier column). This greedy construction (Gale–Ryser) always
    succeeds because the fractional parts themselves are a solution; the result is within one
    minor unit of the exact proportional cell. Totals must be non-negative.
    """
    total = sum(row_totals)
    if total != sum(column_totals):
        raise InfeasibleSplit("row and column totals must have the same sum")
    if any(v < 0 for v in (*row_totals, *column_totals)):
        raise InfeasibleSplit("table totals must not be negative")
    if total == 0:
        return [[0] * len(column_totals) for _ in row_totals]
    exact = [[Fraction(r * c, total) for c in column_totals] for r in row_totals]
    grid = [[math.floor(x) for x in row] for row in exact]
    column_missing = [
        c - sum(grid[i][j] for i in range(len(grid))) for j, c in enumerate(column_totals)
    ]
    for i, row in enumerate(grid):
        missing = row_totals[i] - sum(row)
        order = sorted(
            range(len(column_totals)),
            key=lambda j: (-column_missing[j], -(exact[i][j] - grid[i][j]), j),
        )
        for j in order[:missing]:
            row[j] += 1
            column_missing[j] -= 1
    if any(column_missing):
        raise InfeasibleSplit("no exact table rounding found")  # cannot happen, see docstring
    return grid
