"""The import's bulk write paths keep every value exactly, on SQLite and PostgreSQL.

SQLite binds only the columns a chunk needs (empty columns are left out, constant integers
are written into the statement); PostgreSQL gets COPY in CSV form formatted by Polars. Both
must tell an empty text from a missing one and keep delimiters, quotes, line breaks, COPY's
`\\.` marker, non-ASCII text, float digits and timestamp microseconds as they were.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine

from salesplan.domain.records import SCHEMAS, RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.storage import frames, migrate, records

TRICKY = ["", None, "a,b", 'say "hi"', "two\nlines", "cr\rlf", "\\.", "武汉 – Ünïcode", " pad "]


@pytest.fixture
def ready(engine: Engine) -> Engine:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    return engine


def _write(engine: Engine, kind: RecordKind, frame: pl.DataFrame) -> None:
    with engine.begin() as connection:
        batch = records.create_batch(
            connection, kind=kind.value, source="t.csv", as_of=dt.date(2026, 11, 28), row_count=1
        )
        records.write_records(connection, kind, frame, batch)


def test_text_numbers_and_instants_round_trip(ready: Engine) -> None:
    n = len(TRICKY)
    activities = conform(
        RecordKind.ACTIVITY,
        pl.DataFrame(
            {
                "id": [f"A{i}" for i in range(n)],
                "type": ["call"] * n,
                "occurred_at": [dt.datetime(2026, 11, 28, 9, 30, 15, 123456 + i) for i in range(n)],
                "outcome": TRICKY,
                "owner_id": [None] * n,  # empty in every row: not bound on SQLite
            }
        ),
    )
    _write(ready, RecordKind.ACTIVITY, activities)
    read = frames.read_frame(ready, RecordKind.ACTIVITY).sort("id")
    assert read.schema == SCHEMAS[RecordKind.ACTIVITY]
    assert_frame_equal(read, activities.sort("id"))
    assert read["outcome"].to_list() == TRICKY  # "" and None stay apart


def test_opportunities_round_trip(ready: Engine) -> None:
    n = len(TRICKY)
    deals = conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": [f"O{i}" for i in range(n)],
                "name": TRICKY,
                "amount_minor": [2**53 + 1, None, 0, -150, 7, 8, 9, 10, 11],
                "currency": ["CNY"] * n,
                "close_date": [dt.date(2026, 12, i + 1) for i in range(n)],
                "stage": ["demo"] * n,
                "stage_code": [40] * n,  # one value in every row: written into the statement
                "status": ["open"] * n,
                "probability": [1 / 3, 0.1, None, 1.0, 0.0, 0.25, 2 / 3, 0.999, 1e-9],
            }
        ),
    )
    _write(ready, RecordKind.OPPORTUNITY, deals)
    read = frames.read_opportunities(ready).sort("id")
    assert_frame_equal(read, deals.sort("id"))
