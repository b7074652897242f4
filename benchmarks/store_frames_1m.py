"""store_frames_1m: the store's bulk write and read paths for 1M opportunities, against Parquet.

Generates the 1m demo dataset once (phase `generate`, no target), then in one process:

1. writes its opportunities and stage events into a fresh SQLite file through the store API
   (`records.replace_stages`, `records.create_batch`, `records.write_records`, one
   transaction as `load_demo_data` does): phases `store write opportunities`,
   `store write stage events`, `store commit`, and their sum `store write`;
2. writes the same two frames to Parquet: `parquet write …` and `parquet write`;
3. reads them back through the store→frames bulk path (`frames.read_opportunities`,
   `frames.read_stage_events`, no Parquet cache registered): `store read …`, `store read`;
4. reads the Parquet files with `pl.read_parquet`: `parquet read …`, `parquet read`.

Before the reads, one tiny untimed read down each path pays their one-off start-up costs.
Every store phase names its Parquet counterpart as baseline, so the harness reports
store ÷ Parquet ratios measured in the same process on the same data. Round-trip checks
(outside the timings) confirm the store gives back the frames that went in.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import polars as pl
from sqlalchemy import Engine

from benchmarks.common import AS_OF, SEED, DemoSize, Recorder, megabytes, run_benchmark
from salesplan.demo import generate
from salesplan.domain.records import RecordKind
from salesplan.storage import frames, migrate, records
from salesplan.storage.engine import create_store_engine

NAME = "store_frames_1m"

KINDS = (RecordKind.OPPORTUNITY, RecordKind.STAGE_EVENT)
LABELS = {RecordKind.OPPORTUNITY: "opportunities", RecordKind.STAGE_EVENT: "stage events"}


def _file_mb(*paths: Path) -> float:
    return megabytes(sum(p.stat().st_size for p in paths if p.exists()))


def _same_rows(left: pl.DataFrame, right: pl.DataFrame) -> bool:
    """The same rows and schema, whatever their order."""
    if left.schema != right.schema or left.height != right.height:
        return False
    return left.sort(left.columns, nulls_last=True).equals(
        right.sort(right.columns, nulls_last=True)
    )


def _warm_up(engine: Engine, workdir: Path) -> None:
    """One tiny untimed read down each path, so one-off start-up costs (loading the store's
    reader, Polars' Parquet reader, their thread pools) are not charged to the first read."""
    frames.read_frame(engine, RecordKind.FX_RATE)
    tiny = workdir / "warm-up.parquet"
    pl.DataFrame({"x": [1, 2, 3]}).write_parquet(tiny)
    pl.read_parquet(tiny)
    tiny.unlink()


@contextmanager
def _reader_path(recorder: Recorder, kind: RecordKind) -> Iterator[None]:
    """Record which path a store read took: connectorx, or the engine's own DB-API driver
    (`frames` uses it when there is no connectorx URI, or when connectorx fails)."""
    original = getattr(frames, "_read_connectorx", None)
    if original is None:  # the internals changed: say so rather than guess
        recorder.info(f"reader.{kind.value}", "unknown")
        yield
        return
    outcomes: list[bool] = []

    def spy(uri: str, query: str) -> pl.DataFrame | None:
        frame: pl.DataFrame | None = original(uri, query)
        outcomes.append(frame is not None)
        return frame

    with mock.patch.object(frames, "_read_connectorx", side_effect=spy):
        yield
    path = "connectorx" if outcomes and all(outcomes) else "dbapi"
    recorder.info(f"reader.{kind.value}", path)


def run(recorder: Recorder, size: DemoSize, workdir: Path) -> None:
    with recorder.phase("generate"):
        dataset = generate(size, SEED, AS_OF)
    originals = {kind: dataset.frames[kind] for kind in KINDS}
    stages = dataset.stages
    del dataset  # keep only the two frames under test
    gc.collect()
    for kind in KINDS:
        recorder.info(f"rows.{kind.value}", originals[kind].height)

    database = workdir / "store.db"
    for leftover in workdir.glob("store.db*"):
        leftover.unlink()
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        with recorder.phase("migrate"):
            migrate.upgrade(engine)

        # 1. Store write: one transaction, like services.demo.load_demo_data.
        with engine.connect() as connection:
            transaction = connection.begin()
            records.replace_stages(connection, stages)
            for kind in KINDS:
                frame = originals[kind]
                name = f"store write {LABELS[kind]}"
                with recorder.phase(name, baseline=f"parquet write {LABELS[kind]}"):
                    batch = records.create_batch(
                        connection,
                        kind=kind.value,
                        source=f"benchmark:{size}:seed={SEED}",
                        as_of=AS_OF,
                        row_count=frame.height,
                    )
                    records.write_records(connection, kind, frame, batch)
            # The whole import sits in the WAL until the commit checkpoints it into the file.
            recorder.info("store_wal_before_commit_mb", _file_mb(workdir / "store.db-wal"))
            with recorder.phase("store commit"):
                transaction.commit()
        writes = [f"store write {LABELS[k]}" for k in KINDS]
        recorder.total("store write", [*writes, "store commit"], baseline="parquet write")

        # 2. Parquet write: the floor for writing the same frames.
        parquet = {kind: workdir / f"{kind.value}.parquet" for kind in KINDS}
        for kind in KINDS:
            with recorder.phase(f"parquet write {LABELS[kind]}"):
                originals[kind].write_parquet(parquet[kind])
        recorder.total("parquet write", [f"parquet write {LABELS[k]}" for k in KINDS])
        recorder.info("parquet_file_mb", _file_mb(*parquet.values()))

        _warm_up(engine, workdir)

        # 3. Store read: the store→frames bulk path.
        readers = {
            RecordKind.OPPORTUNITY: frames.read_opportunities,
            RecordKind.STAGE_EVENT: frames.read_stage_events,
        }
        for kind in KINDS:
            with (
                _reader_path(recorder, kind),
                recorder.phase(
                    f"store read {LABELS[kind]}", baseline=f"parquet read {LABELS[kind]}"
                ),
            ):
                frame = readers[kind](engine)
            recorder.info(f"roundtrip.store.{kind.value}", _same_rows(frame, originals[kind]))
            del frame
        recorder.total(
            "store read", [f"store read {LABELS[k]}" for k in KINDS], baseline="parquet read"
        )

        # 4. Parquet read: the floor for reading them.
        for kind in KINDS:
            with recorder.phase(f"parquet read {LABELS[kind]}"):
                frame = pl.read_parquet(parquet[kind])
            recorder.info(f"roundtrip.parquet.{kind.value}", _same_rows(frame, originals[kind]))
            del frame
        recorder.total("parquet read", [f"parquet read {LABELS[k]}" for k in KINDS])
        engine.dispose()  # checkpoints and removes the WAL: the file alone is the store
        recorder.info("store_file_mb", _file_mb(database))
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    run_benchmark(NAME, __doc__ or NAME, "1m", run, argv)


if __name__ == "__main__":
    main()
