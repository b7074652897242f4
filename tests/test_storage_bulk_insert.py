"""SQLite's multi-row INSERT: groups of rows per statement, a shorter last statement, and
statements kept under SQLite's bound-variable limit all store exactly the rows given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine

from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.storage import frames, migrate, records
from salesplan.storage.engine import create_store_engine


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    return engine


def _deals(n: int) -> pl.DataFrame:
    """`n` opportunities whose values differ row by row (NULLs in some rows of a column)."""
    day = dt.date(2026, 1, 1)
    return conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": [f"OPP-{i:04d}" for i in range(n)],
                "name": [f"Deal {i}" if i % 3 else None for i in range(n)],
                "amount_minor": [i * 101 - 50 for i in range(n)],
                "currency": ["CNY" if i % 2 else "USD" for i in range(n)],
                "close_date": [day + dt.timedelta(days=i) for i in range(n)],
                "stage": ["proposal"] * n,
                "stage_code": [50] * n,
                "status": ["open"] * n,
                "probability": [i / 1000 if i % 5 else None for i in range(n)],
            },
            strict=False,
        ),
    )


def _round_trip(engine: Engine, frame: pl.DataFrame) -> None:
    with engine.begin() as connection:
        batch = records.create_batch(
            connection, kind="opportunity", source="t.csv", as_of=dt.date(2026, 11, 28),
            row_count=frame.height,
        )  # fmt: skip
        assert records.write_records(connection, RecordKind.OPPORTUNITY, frame, batch) == len(frame)
    read = frames.read_opportunities(engine).sort("id")
    assert_frame_equal(read.select(frame.columns), frame.sort("id"))


def test_rows_per_statement_stays_under_the_variable_limit() -> None:
    # 28 values a row: 32766 // 28 = 1170 and 999 // 28 = 35, both above the 32-row cap;
    # 100 // 28 = 3 rows (84 variables); a row wider than the limit still goes one at a time.
    assert records._rows_per_statement(28, 32766) == 32
    assert records._rows_per_statement(28, 999) == 32
    assert records._rows_per_statement(28, 100) == 3
    assert records._rows_per_statement(28, 10) == 1


@pytest.mark.parametrize("n", [1, 31, 32, 33, 101])
def test_full_groups_and_the_shorter_last_statement_store_every_row(
    sqlite_store: Engine, n: int
) -> None:
    # 101 rows = 3 statements of 32 rows + one of 5; 31 rows = only the shorter statement.
    _round_trip(sqlite_store, _deals(n))


def test_small_variable_limit_and_several_chunks(
    sqlite_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of 40 rows (the last of 101 has 21) bound 100 variables a statement at most.
    monkeypatch.setattr(records, "_SQLITE_CHUNK", 40)
    monkeypatch.setattr(records, "_variable_limit", lambda raw: 100)
    _round_trip(sqlite_store, _deals(101))
