"""Plain-number amount cells (`1234`, `-12.50`) read in Polars, without a Python call per text.

Most exports write amounts as bare numbers. `values.parse_amount` reads each distinct text in
Python (a 1M-row file holds ~100k distinct amounts); for a plain number it would return the
same exact value these expressions compute in Rust, so only the other cells (symbols,
separators, multipliers, bad text) go through it. Exact integers throughout, never float.
"""

from __future__ import annotations

import polars as pl

PLAIN = r"^(-?)([0-9]{1,14})(?:\.([0-9]+))?$"
"""A plain number: optional minus, ASCII digits, optional dot and decimals. At most 14 whole
digits, so minor units (× 10^exponent, exponent ≤ 4) always fit an Int64."""


def plain_cells(cells: pl.Series, decimal: str | None) -> pl.Series:
    """True where the cell is a plain number under the column's decimal mark (never null).

    With a comma decimal mark a dot is a thousands separator, so only whole numbers are plain.
    """
    pattern = r"^-?[0-9]{1,14}$" if decimal == "," else PLAIN
    return cells.str.contains(pattern).fill_null(False)


def shows_decimal_dot(cells: pl.Series, plain: pl.Series) -> bool:
    """Whether a plain cell can only be read with a dot decimal mark (`12.5`, `1.25`; not
    `1.250`, which could be a grouped thousand), as `values.infer_decimal_mark` decides."""
    dotted = cells.str.contains(r"\.") & ~cells.str.contains(r"^-?[0-9]{1,3}\.[0-9]{3}$")
    return bool((plain & dotted.fill_null(False)).any())


def plain_minor(cells: pl.Series, exponent: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(minor units of each plain cell, whether it was read here): a cell is read here when it
    is plain and has no more decimals than its row's currency `exponent`; trailing zeros do not
    count (`1.500` is 150 cents). Others are null/False and left to the general parser, which
    refuses too many decimals with a message naming the currency."""
    parts = cells.str.extract_groups(PLAIN).struct.unnest()
    sign, whole, decimals = parts.get_column("1"), parts.get_column("2"), parts.get_column("3")
    fraction = decimals.fill_null("").str.strip_chars_end("0")
    frame = pl.DataFrame(
        {
            "negative": sign == "-",
            "whole": whole.cast(pl.Int64),
            "fraction": fraction.cast(pl.Int64, strict=False).fill_null(0),
            "places": fraction.str.len_chars().cast(pl.Int64),
            "exponent": exponent.cast(pl.Int64),
        }
    )
    ten = pl.lit(10, pl.Int64)
    places, exp = pl.col("places"), pl.col("exponent")
    read = pl.col("whole").is_not_null() & (places <= exp)
    shift = (exp - places).clip(lower_bound=0)
    minor = pl.col("whole") * ten.pow(exp) + pl.col("fraction") * ten.pow(shift)
    result = frame.select(
        pl.when(read)
        .then(pl.when(pl.col("negative")).then(-minor).otherwise(minor))
        .alias("minor"),
        read.fill_null(False).alias("read"),
    )
    return result.get_column("minor").alias(cells.name), result.get_column("read")
