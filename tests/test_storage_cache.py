"""The columnar cache returns the store's data, and never stale data after an import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from sqlalchemy import Engine

from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.storage import frames, migrate, records


def _import(engine: Engine, ids: list[str], amount: int) -> None:
    frame = conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": ids,
                "amount_minor": [amount] * len(ids),
                "currency": ["CNY"] * len(ids),
                "stage": ["demo"] * len(ids),
                "stage_code": [40] * len(ids),
                "status": ["open"] * len(ids),
            }
        ),
    )
    with engine.begin() as connection:
        batch = records.create_batch(
            connection, kind="opportunity", source="t.csv", as_of=dt.date(2026, 1, 1),
            row_count=frame.height,
        )  # fmt: skip
        records.write_records(connection, RecordKind.OPPORTUNITY, frame, batch)


def test_cache_is_written_reused_and_invalidated(engine: Engine, tmp_path: Path) -> None:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    _import(engine, ["a", "b"], 100)
    cache = tmp_path / "cache"
    frames.register_cache(engine, cache)

    first = frames.read_opportunities(engine)
    files = list(cache.glob("opportunity.*.parquet"))
    assert len(files) == 1
    assert_frame_equal(pl.read_parquet(files[0]), first)

    # Tamper with the cached copy: a second read with no new import must come from the cache.
    first.with_columns(pl.lit(7, pl.Int64).alias("amount_minor")).write_parquet(files[0])
    assert frames.read_opportunities(engine)["amount_minor"].to_list() == [7, 7]

    # A new import changes the key: the store's new data is read and the old file is gone.
    _import(engine, ["b", "c"], 250)
    fresh = frames.read_opportunities(engine).sort("id")
    assert fresh["id"].to_list() == ["a", "b", "c"]
    assert fresh["amount_minor"].to_list() == [100, 250, 250]
    assert len(list(cache.glob("opportunity.*.parquet"))) == 1


def test_without_a_registered_cache_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    _import(engine, ["a"], 1)
    assert frames.read_opportunities(engine).height == 1
    assert not any(tmp_path.rglob("*.parquet"))
