"""Helpers every column parser of an import shares: one parse per distinct text, and the
Problems of the rows whose text failed, named by row, source column and value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from salesplan.ingest import values as v
from salesplan.ingest.readers import ROW
from salesplan.ingest.validate import Problem

SOURCE = "__source_"  # prefix of the per-field source-column name columns


def problem_rows(frame: pl.DataFrame, name: str, bad: Mapping[str, v.ParseError]) -> list[Problem]:
    """A Problem for every row of `frame` whose `name` text is a key of `bad`."""
    if not bad:
        return []
    rows = frame.filter(pl.col(name).is_in(list(bad))).select(ROW, name, SOURCE + name)
    out = []
    for row, text, column in rows.iter_rows():
        error = bad[text]
        params = {"column": column, **error.params}
        out.append(Problem("bad_value", error.message_id, params, row, column, text))
    return out


def map_unique(
    series: pl.Series, parse: Callable[[str], Any], dtype: pl.DataType
) -> tuple[pl.Series, dict[str, v.ParseError]]:
    """(`series` parsed once per distinct text as `dtype`, {text: error} for texts that fail)."""
    good: dict[str, Any] = {}
    bad: dict[str, v.ParseError] = {}
    for text in series.drop_nulls().unique().to_list():
        try:
            good[text] = parse(text)
        except v.ParseError as exc:
            bad[text] = exc
    parsed = series.replace_strict(
        list(good), list(good.values()), default=None, return_dtype=dtype
    )
    return parsed, bad
