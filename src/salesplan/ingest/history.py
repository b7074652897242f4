"""Stage events from the three sources a team has: HubSpot's per-stage "Date entered"
columns, a stage-history export (Salesforce OpportunityHistory: one snapshot per row), and
the difference between two dated imports of the same opportunities.

A stage event is a snapshot: the stage entered at `entered_at`, with the amount and close
date as they were then. A later import whose stage, amount or close date differ from the
stored deal records one event at the new import's as-of date; an unchanged deal records none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Final

import polars as pl

from salesplan.ingest import values as v
from salesplan.ingest.conversion import StageResolver
from salesplan.ingest.readers import ROW, RawTable
from salesplan.ingest.validate import N_, Problem

DATE_ENTERED: Final = re.compile(
    r'date\s+entered\s*["“]?\s*(?P<stage>.+?)\s*\((?P<pipeline>[^()]*)\)\s*["”]?', re.IGNORECASE
)
OTHER_STAGE_COLUMNS: Final = re.compile(
    r"(date\s+exited|cumulative\s+time\s+in|latest\s+time\s+in|time\s+in)\b", re.IGNORECASE
)
EVENT_COLUMNS: Final = (
    "opportunity_id",
    "stage",
    "stage_code",
    "entered_at",
    "amount_minor",
    "close_date",
)


def history_headers(headers: Sequence[str]) -> dict[str, str]:
    """header → stage label, for HubSpot's `Date entered "<Stage> (<Pipeline>)"` columns."""
    out = {}
    for header in headers:
        match = DATE_ENTERED.fullmatch(header.strip())
        if match:
            out[header] = match["stage"]
    return out


def is_stage_timing_header(header: str) -> bool:
    """HubSpot stage timing columns that are not imported (exited, time in stage)."""
    return bool(OTHER_STAGE_COLUMNS.match(header.strip())) or bool(
        DATE_ENTERED.fullmatch(header.strip())
    )


def events_from_columns(
    raw: RawTable,
    ids: pl.Series,
    columns: Mapping[str, str],
    stages: StageResolver,
    codes: Mapping[str, int],
) -> tuple[pl.DataFrame, list[Problem], dict[str, int]]:
    """One event per non-empty "Date entered" cell: (events + ROW, problems, unknown labels)."""
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    unknown: dict[str, int] = {}
    for header, label in columns.items():
        cells = raw.frame[header]
        filled = int(cells.is_not_null().sum())
        if filled == 0:
            continue
        key = stages.key(label)
        if key is None:
            unknown[label] = unknown.get(label, 0) + filled
            problems.append(
                Problem(
                    "unknown_stage",
                    N_("Unknown stage {value} in column {column}; map it under values: stage:."),
                    {"value": label, "column": header},
                    None,
                    header,
                    label,
                )
            )
            continue
        distinct = cells.drop_nulls().unique().to_list()
        inferred = v.infer_day_order(distinct)
        order = None if inferred == "conflict" else inferred
        good: dict[str, dt.datetime] = {}
        for text in distinct:
            try:
                good[text] = v.parse_instant(text, order)
            except v.ParseError as exc:
                rows = raw.frame.filter(pl.col(header) == text)[ROW].to_list()
                problems += [
                    Problem(
                        "bad_value",
                        exc.message_id,
                        {"column": header, **exc.params},
                        row,
                        header,
                        text,
                    )
                    for row in rows
                ]
        entered = cells.replace_strict(
            list(good), list(good.values()), default=None, return_dtype=pl.Datetime("us")
        )
        frame = pl.DataFrame(
            {ROW: raw.frame[ROW], "opportunity_id": ids, "entered_at": entered}
        ).filter(pl.col("entered_at").is_not_null() & pl.col("opportunity_id").is_not_null())
        frames.append(
            frame.with_columns(
                pl.lit(key).alias("stage"),
                pl.lit(codes[key], pl.Int32).alias("stage_code"),
                pl.lit(None, pl.Int64).alias("amount_minor"),
                pl.lit(None, pl.Date).alias("close_date"),
            )
        )
    if not frames:
        return _empty(), problems, unknown
    events = pl.concat(frames, how="diagonal").select(ROW, *EVENT_COLUMNS)
    events = events.sort("opportunity_id", "entered_at").unique(
        ["opportunity_id", "entered_at"], keep="last", maintain_order=True
    )
    return events, problems, unknown


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            ROW: pl.Int64,
            "opportunity_id": pl.String,
            "stage": pl.String,
            "stage_code": pl.Int32,
            "entered_at": pl.Datetime("us"),
            "amount_minor": pl.Int64,
            "close_date": pl.Date,
        }
    )


def diff_events(incoming: pl.DataFrame, stored: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Events for stored deals whose stage, amount or close date the new import changes.

    `incoming` has the canonical opportunity columns; `stored` has id, stage_code,
    amount_minor and close_date of the deals already in the store. Deals new to the store
    get no event: nothing is known of their past.
    """
    if stored.height == 0 or incoming.height == 0:
        return _empty().drop(ROW)
    old = stored.select(
        pl.col("id"),
        pl.col("stage_code").alias("__code"),
        pl.col("amount_minor").alias("__amount"),
        pl.col("close_date").alias("__close"),
    )
    joined = incoming.join(old, on="id", how="inner")
    changed = joined.filter(
        pl.col("stage_code").ne_missing(pl.col("__code"))
        | pl.col("amount_minor").ne_missing(pl.col("__amount"))
        | pl.col("close_date").ne_missing(pl.col("__close"))
    )
    moment = dt.datetime.combine(as_of, dt.time())
    return changed.select(
        pl.col("id").alias("opportunity_id"),
        "stage",
        pl.col("stage_code").cast(pl.Int32),
        pl.lit(moment, pl.Datetime("us")).alias("entered_at"),
        "amount_minor",
        "close_date",
    )
