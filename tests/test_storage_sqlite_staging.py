"""Large writes staged through ADBC store exactly what binding from Python stores.

Each test writes the same frames twice, once bound row by row (`STAGING_ROWS` above the
frame's height) and once through a staging file (`STAGING_ROWS` = 1), and compares the raw
SQLite rows, value and storage class (`typeof`) of every column, read with plain sqlite3 so
neither write path's reader is trusted."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.storage import migrate, records, sqlite_staging
from salesplan.storage.engine import create_store_engine

AS_OF = dt.date(2026, 11, 28)


def _store(path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        records.replace_stages(connection, DEFAULT_STAGES)
    return engine


def _deals(ids: range, amount_step: int) -> pl.DataFrame:
    """Deals with every kind of value: text (CJK too), NULLs, integers, floats, dates."""
    day = dt.date(2026, 1, 1)
    return conform(
        RecordKind.OPPORTUNITY,
        pl.DataFrame(
            {
                "id": [f"OPP-{i:04d}" for i in ids],
                "name": [
                    "武汉星辰 - 续约" if i % 3 == 0 else (None if i % 3 == 1 else "A") for i in ids
                ],
                "amount_minor": [i * amount_step - 50 if i % 4 else None for i in ids],
                "currency": ["CNY" if i % 2 else "USD" for i in ids],
                "created_on": [day - dt.timedelta(days=i) for i in ids],
                "close_date": [day + dt.timedelta(days=i) if i % 5 else None for i in ids],
                "stage": ["proposal" if i % 2 else "closed_won" for i in ids],
                "stage_code": [50 if i % 2 else 90 for i in ids],
                "status": ["open" if i % 2 else "won" for i in ids],
                "probability": [i / 1000 if i % 5 else None for i in ids],
                "discount_pct": [0.125] * len(ids),
                "next_step": [
                    "Call '1'; \"quoted\"\nnew line" if i % 7 == 0 else None for i in ids
                ],
            },
            strict=False,
        ),
    )


def _events(ids: range) -> pl.DataFrame:
    start = dt.datetime(2026, 1, 1, 9, 30, 15, 123456)
    return conform(
        RecordKind.STAGE_EVENT,
        pl.DataFrame(
            {
                "opportunity_id": [f"OPP-{i:04d}" for i in ids],
                "stage": ["proposal"] * len(ids),
                "stage_code": [50] * len(ids),
                "entered_at": [start + dt.timedelta(hours=i) for i in ids],
                "amount_minor": [i * 7 for i in ids],
                "close_date": [dt.date(2026, 6, 30)] * len(ids),
            }
        ),
    )


def _import(engine: Engine, deals: pl.DataFrame, events: pl.DataFrame) -> None:
    with engine.begin() as connection:
        batch = records.create_batch(
            connection, kind="opportunity", source="t.csv", as_of=AS_OF, row_count=deals.height,
            imported_at=dt.datetime(2026, 11, 28, 12, 0),
        )  # fmt: skip
        records.write_records(connection, RecordKind.OPPORTUNITY, deals, batch)
        records.write_records(connection, RecordKind.STAGE_EVENT, events, batch)


def _raw_rows(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        names = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
        typed = ", ".join(f'"{n}", typeof("{n}")' for n in names)
        rows = db.execute(f'SELECT {typed} FROM "{table}" ORDER BY 1, 3, 5').fetchall()
    db.close()
    return rows


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of its own (where staging files go); every write staged."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(sqlite_staging, "STAGING_ROWS", 1)
    return folder


def _write_both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    writes: list[tuple[range, int]],
    cores: int = 1,
) -> tuple[Path, Path]:
    """The stores written bound and staged; `cores` staging files written at once."""
    monkeypatch.setattr(sqlite_staging, "_cores", lambda: cores)
    paths = (tmp_path / "bound.db", tmp_path / "staged.db")
    for path, threshold in zip(paths, (10**9, 1), strict=True):
        monkeypatch.setattr(sqlite_staging, "STAGING_ROWS", threshold)
        engine = _store(path)
        for ids, step in writes:
            _import(engine, _deals(ids, step), _events(ids))
        engine.dispose()
    return paths


@pytest.mark.parametrize("cores", [1, 3])
@pytest.mark.parametrize("table", ["opportunity", "opportunity_snapshot", "stage_event"])
def test_a_staged_import_and_a_later_upsert_store_the_same_rows_as_binding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, cores: int
) -> None:
    # The second import overlaps the first (ids 30-59 again with new amounts, 60-89 new):
    # the replaced rows and their events must be deleted through the staged ids too. With 3
    # cores each write goes through 3 staging files (20 rows each) read as one.
    writes = [(range(60), 101), (range(30, 90), 7)]
    bound, staged = _write_both(tmp_path, monkeypatch, writes, cores)
    rows = _raw_rows(staged, table)
    assert rows == _raw_rows(bound, table)
    expected = {"opportunity": 90, "opportunity_snapshot": 120, "stage_event": 90}[table]
    assert len(rows) == expected  # 60 + 30 new; snapshots 60 + 60; events replaced per deal


def test_staged_values_keep_sqlalchemy_storage_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, staged = _write_both(tmp_path, monkeypatch, [(range(3), 101)])
    with sqlite3.connect(staged) as db:
        deal = db.execute(
            "SELECT name, amount_minor, typeof(amount_minor), created_on, typeof(created_on), "
            "probability, close_date FROM opportunity WHERE id = 'OPP-0002'"
        ).fetchone()
        event = db.execute(
            "SELECT entered_at, typeof(entered_at) FROM stage_event "
            "WHERE opportunity_id = 'OPP-0001'"
        ).fetchone()
    db.close()
    # OPP-0002: name "A" (2 % 3 == 2), amount 2 * 101 - 50 = 152, created 2026-01-01 - 2 days,
    # probability 2 / 1000, close 2026-01-01 + 2 days.
    assert deal == ("A", 152, "integer", "2025-12-30", "text", 0.002, "2026-01-03")
    # 09:30:15.123456 + 1 hour, in SQLAlchemy's SQLite DateTime text form.
    assert event == ("2026-01-01 10:30:15.123456", "text")


def test_staging_files_are_removed_and_detached_after_the_import(
    tmp_path: Path, scratch: Path
) -> None:
    engine = _store(tmp_path / "store.db")
    _import(engine, _deals(range(10), 3), _events(range(10)))
    assert list(scratch.iterdir()) == []
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        names = [row[1] for row in raw.execute("PRAGMA database_list")]
    assert set(names) <= {"main", "temp"}  # no staging schema left attached


def test_a_failed_transaction_after_staging_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_staging, "STAGING_ROWS", 1)
    engine = _store(tmp_path / "store.db")
    with pytest.raises(RuntimeError), engine.begin() as connection:
        batch = records.create_batch(
            connection, kind="opportunity", source="t.csv", as_of=AS_OF, row_count=5
        )
        records.write_records(connection, RecordKind.OPPORTUNITY, _deals(range(5), 3), batch)
        raise RuntimeError("interrupted")
    engine.dispose()
    with sqlite3.connect(tmp_path / "store.db") as db:
        counts = [
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("opportunity", "opportunity_snapshot", "import_batch")
        ]
    db.close()
    assert counts == [0, 0, 0]


def test_staging_files_are_limited_by_cores_rows_and_free_attach_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_staging, "_cores", lambda: 8)
    raw = sqlite3.connect(tmp_path / "main.db")
    rows = sqlite_staging.STAGING_ROWS
    assert sqlite_staging.parts_for(raw, 10 * rows) == 4  # at most four files
    assert sqlite_staging.parts_for(raw, 3 * rows - 1) == 2  # each file >= STAGING_ROWS rows
    assert sqlite_staging.parts_for(raw, rows - 1) == 0
    raw.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 2)
    raw.execute("ATTACH DATABASE ? AS other", (str(tmp_path / "other.db"),))
    assert sqlite_staging.parts_for(raw, 10 * rows) == 1  # one attach slot left
    raw.execute("ATTACH DATABASE ? AS third", (str(tmp_path / "third.db"),))
    assert sqlite_staging.parts_for(raw, 10 * rows) == 0
    raw.close()


def test_staging_removes_files_left_by_dead_processes_only(tmp_path: Path, scratch: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = scratch / f"salesplan-staging-{dead.pid}-abc.db"
    ours = scratch / f"salesplan-staging-{os.getpid()}-def.db"  # a live process's file
    other = scratch / "unrelated.db"
    for path in (orphan, ours, other):
        path.write_bytes(b"")
    engine = _store(tmp_path / "store.db")
    _import(engine, _deals(range(4), 3), _events(range(4)))
    assert sorted(p.name for p in scratch.iterdir()) == sorted([ours.name, other.name])


@pytest.mark.parametrize("failure", ["adbc", "disk"])
def test_a_failed_staging_falls_back_to_binding_the_rows(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    # The temporary folder full (OSError from the file system) or an ADBC error while
    # writing a staging file: the rows are bound from Python instead, same result.
    import adbc_driver_manager

    def broken(path: str, frame: object) -> None:
        if failure == "adbc":
            raise adbc_driver_manager.InternalError(
                "INTERNAL: disk I/O error", status_code=adbc_driver_manager.AdbcStatusCode.IO
            )
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sqlite_staging, "_ingest", broken)
    engine = _store(tmp_path / "store.db")
    _import(engine, _deals(range(6), 3), _events(range(6)))
    engine.dispose()
    assert list(scratch.iterdir()) == []
    monkeypatch.setattr(sqlite_staging, "STAGING_ROWS", 10**9)
    reference = _store(tmp_path / "bound.db")
    _import(reference, _deals(range(6), 3), _events(range(6)))
    reference.dispose()
    for table in ("opportunity", "opportunity_snapshot", "stage_event"):
        assert _raw_rows(tmp_path / "store.db", table) == _raw_rows(tmp_path / "bound.db", table)


def test_an_orphan_that_cannot_be_deleted_does_not_stop_staging(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = scratch / f"salesplan-staging-{dead.pid}-abc.db"  # as if another user's
    orphan.write_bytes(b"")
    unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path == orphan:
            raise PermissionError(1, "Operation not permitted", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    engine = _store(tmp_path / "store.db")
    _import(engine, _deals(range(6), 3), _events(range(6)))
    with sqlite3.connect(tmp_path / "store.db") as db:
        (count,) = db.execute("SELECT count(*) FROM opportunity").fetchone()
    db.close()
    assert count == 6
    assert [p.name for p in scratch.iterdir()] == [orphan.name]
