"""Money columns of an import: each row's currency and exact minor units per money field.

A row's currency is its currency column, else a symbol or code in its amount cells
(`¥1,234`, `USD 100`), else the mapping's or the plan's default currency. Plain numbers are
read in Polars (`amounts`); the rest through `values.parse_amount` once per distinct text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from salesplan.i18n.money import currency_exponent
from salesplan.ingest import amounts
from salesplan.ingest import values as v
from salesplan.ingest.cells import SOURCE, map_unique, problem_rows
from salesplan.ingest.readers import ROW
from salesplan.ingest.validate import N_, Problem


@dataclass(slots=True)
class MoneyColumns:
    currency: pl.Series  # each row's currency code
    minors: dict[str, pl.Series]  # exact minor units per money field
    problems: list[Problem] = field(default_factory=list)
    currency_assumed: bool = False  # some row with an amount got the default currency


def money_columns(
    text: pl.DataFrame, names: list[str], decimal: str | None, default: str
) -> MoneyColumns:
    """The currency and money fields `names` of `text` (one text column per field, with
    `ROW` and the `SOURCE` columns); `decimal` is the mapping's decimal-mark hint."""
    result = MoneyColumns(pl.Series("currency", [], pl.String), {})
    stated = pl.Series("currency", [None] * text.height, pl.String)
    if "currency" in text.columns:
        stated, wrong = map_unique(text["currency"], v.parse_currency, pl.String())
        result.problems += problem_rows(text, "currency", wrong)
    parsed: dict[str, dict[str, v.Amount]] = {}
    marks: dict[str, str | None] = {}
    plain: dict[str, pl.Series] = {}  # cells `amounts` reads (plain numbers: no currency)
    symbols: list[pl.Series] = []
    for name in names:
        series = text[name]
        plain[name] = amounts.plain_cells(series, decimal)
        distinct = series.filter(~plain[name]).drop_nulls().unique().to_list()
        dot = amounts.shows_decimal_dot(series, plain[name])
        inferred = decimal or v.infer_decimal_mark(distinct, dot=dot)
        mark = marks[name] = None if inferred == "conflict" else inferred
        if mark == "," and decimal is None:  # `1.250` is then 1250: not for `amounts`
            plain[name] = amounts.plain_cells(series, mark)
            distinct = series.filter(~plain[name]).drop_nulls().unique().to_list()
        good: dict[str, v.Amount] = {}
        bad: dict[str, v.ParseError] = {}
        for cell in distinct:
            try:
                good[cell] = v.parse_amount(cell, mark, default)
            except v.ParseError as exc:
                bad[cell] = exc
        result.problems += problem_rows(text, name, bad)
        parsed[name] = good
        symbol = series.replace_strict(
            list(good), [a.currency for a in good.values()], default=None, return_dtype=pl.String
        )
        symbols.append(symbol)
    found = pl.DataFrame([stated, *(s.alias(f"s{i}") for i, s in enumerate(symbols))])
    named = found.select(pl.coalesce(pl.all()).alias("currency")).to_series()
    # A money cell whose symbol differs from the row's currency (its currency column, else the
    # first money cell naming one: `¥900` beside a cost of `$100`) is refused, never converted.
    for name, symbol in zip(names, symbols, strict=True):
        clash = named.is_not_null() & symbol.is_not_null() & (named != symbol)
        rows = text.with_columns(named.alias("__named")).filter(clash)
        for row, cell, column, code in rows.select(ROW, name, SOURCE + name, "__named").iter_rows():
            result.problems.append(
                Problem(
                    "currency_mismatch",
                    N_("{value} is in a different currency than the row's currency {currency}."),
                    {"value": cell, "currency": code},
                    row,
                    column,
                    cell,
                )
            )
    currency = named.fill_null(default)
    if names:
        has_amount = text.select(pl.any_horizontal(pl.col(n).is_not_null() for n in names))
        result.currency_assumed = bool((named.is_null() & has_amount.to_series()).any())
    minors: dict[str, pl.Series] = {}
    codes = currency.unique().to_list()
    exponents = [currency_exponent(code) for code in codes]
    one_exponent = len(set(exponents)) == 1
    exponent = currency.replace_strict(codes, exponents, return_dtype=pl.Int64)
    for name in names:
        good = parsed[name]
        fast, read = amounts.plain_minor(text[name], exponent)
        cells = text[name].set(read, None)  # the rest, for the general path below
        # Plain cells with more decimals than their currency has: the parser names the error.
        for cell in cells.filter(plain[name]).drop_nulls().unique().to_list():
            good[cell] = v.parse_amount(cell, marks[name], default)
        by_cell = _minor_by_cell(cells, good, codes[0]) if one_exponent and codes else None
        if by_cell is not None:
            minors[name] = fast.zip_with(read, by_cell)
            continue
        keys = cells + "\x1f" + currency
        table: dict[str, int] = {}
        failed: dict[str, v.ParseError] = {}
        for key in keys.drop_nulls().unique().to_list():
            cell, code = key.split("\x1f")
            if cell not in good:
                continue
            try:
                table[key] = v.to_minor(good[cell].value, code, cell)
            except v.ParseError as exc:
                failed[key] = exc
        general = keys.replace_strict(
            list(table), list(table.values()), default=None, return_dtype=pl.Int64
        )
        minors[name] = fast.zip_with(read, general)
        if failed:
            keyed = text.with_columns(keys.alias("__key"))
            rows = keyed.filter(pl.col("__key").is_in(list(failed)))
            for row, cell, column, key in rows.select(
                ROW, name, SOURCE + name, "__key"
            ).iter_rows():
                error = failed[key]
                params = {"column": column, **error.params}
                result.problems.append(
                    Problem("bad_value", error.message_id, params, row, column, cell)
                )
    result.currency, result.minors = currency, minors
    return result


def _minor_by_cell(cells: pl.Series, good: dict[str, v.Amount], code: str) -> pl.Series | None:
    """Minor units per cell when every row's currency has the same number of decimals (the
    usual file): one lookup by cell text instead of by (cell, currency) pairs, which would
    build and hash a million joined strings. None when some cell needs the general path
    (too many decimals for the currency: its message names each row's currency)."""
    table: dict[str, int] = {}
    for cell, amount in good.items():
        try:
            table[cell] = v.to_minor(amount.value, code, cell)
        except v.ParseError:
            return None
    return cells.replace_strict(
        list(table), list(table.values()), default=None, return_dtype=pl.Int64
    )
