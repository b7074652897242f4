"""Large frames into SQLite through a staging file written from Arrow by ADBC.

Why: binding values one at a time from Python was ~70 % of a million-row import (measured on
1M opportunities of 29 columns: `executemany` 6.3 s against 4.0 s for ADBC's ingest plus the
copy). ADBC's SQLite driver binds straight from Arrow arrays in C into a throwaway file;
the store's own connection then attaches that file and copies the rows with
`INSERT … SELECT` (and deletes replaced rows with `… WHERE id IN (SELECT id …)`) inside the
caller's transaction, so an import still lands whole or not at all.

Two SQLite libraries are in the process (Python's and the one ADBC bundles), and two
libraries holding the same file break each other's POSIX locks. So the staging file is only
ever open in one of them at a time: ADBC writes and closes it, then the store's connection
attaches it. It is unlinked right after the attach (the open handle keeps it readable, and a
kill -9 after that point leaves nothing behind) and detached when the connection goes back to
the pool: SQLite refuses to DETACH inside the transaction that read it. A process killed
while ADBC was still writing leaves its files in the temporary folder (`TMPDIR`); the next
staging removes them (their names carry the dead process's id). If staging fails (the
temporary folder full or not writable), the rows are bound from Python instead: slower,
same result. Staged files stay attached (unlinked, still open) until the transaction ends,
so an import that writes several large kinds in one transaction holds their space in the
temporary folder together, and falls back to binding once SQLite's ATTACH slots are used.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path
from typing import Any

import polars as pl

STAGING_ROWS = 20_000
"""Frames from this many rows go through a staging file; smaller ones are bound directly
(ADBC's start-up and the extra copy cost more than they save on a few thousand rows)."""

_MAX_PARTS = 4
_SCHEMA_PREFIX = "salesplan_staging_"
_FILE_PREFIX = "salesplan-staging-"
_INFO_KEY = "salesplan_staged_schemas"
_names = count(1)


def storable(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with values as SQLAlchemy stores them on SQLite: ISO dates and timestamps
    as text, booleans as 0/1, categoricals as their text."""
    return frame.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
        pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S.%6f"),
        pl.col(pl.Boolean).cast(pl.Int8),
        pl.col(pl.Categorical, pl.Enum, pl.Null).cast(pl.String),
    )


def parts_for(raw: Any, rows: int) -> int:
    """How many staging files to write `rows` into at once (0: do not stage).

    ADBC releases the GIL while it writes, so files written from parallel threads (one per
    core, at most `_MAX_PARTS`, each at least `STAGING_ROWS` rows) take the wall time of one
    (measured at 1M rows on 2 cores: 2.3 s in one file, 1.2 s in two). Each file is one
    ATTACH, and SQLite allows only so many attached databases on a connection."""
    try:
        import adbc_driver_sqlite  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        return 0
    names = [row[1] for row in raw.execute("PRAGMA database_list").fetchall()]
    free = int(raw.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)) - (len(names) - 1 - ("temp" in names))
    return max(0, min(_cores(), _MAX_PARTS, rows // STAGING_ROWS, free))


def stage(raw: Any, info: dict[str, Any], frame: pl.DataFrame, parts: int = 1) -> str | None:
    """Write `frame` (already `storable`) to `parts` staging files, attach them to `raw`
    and return a SQL table expression over all their rows (to follow `FROM`). `info` is the
    pooled connection's info dictionary: the schemas are recorded there so
    `detach_staged` can detach them later.

    None when staging failed (the temporary folder full or not writable, an ADBC error):
    nothing has been written to the store yet, so the caller binds the rows instead."""
    import adbc_driver_manager

    size = -(-frame.height // parts)
    pieces = [frame.slice(offset, size) for offset in range(0, frame.height, size)] or [frame]
    paths: list[str] = []
    schemas: list[str] = []
    try:
        _remove_orphans(Path(tempfile.gettempdir()))
        for _ in pieces:
            handle, path = tempfile.mkstemp(prefix=f"{_FILE_PREFIX}{os.getpid()}-", suffix=".db")
            os.close(handle)
            paths.append(path)
        if len(pieces) == 1:
            _ingest(paths[0], pieces[0])
        else:
            with ThreadPoolExecutor(len(pieces)) as pool:
                list(pool.map(_ingest, paths, pieces))
        for path in paths:
            schema = f"{_SCHEMA_PREFIX}{next(_names)}"
            raw.execute("ATTACH DATABASE ? AS " + schema, (path,))
            info.setdefault(_INFO_KEY, []).append(schema)
            schemas.append(schema)
    except (OSError, sqlite3.Error, adbc_driver_manager.Error):
        return None  # any schema attached so far is detached with the others at checkin
    finally:
        for path in paths:
            with contextlib.suppress(OSError):
                os.unlink(path)
    if len(schemas) == 1:
        return f'"{schemas[0]}".rows'
    return "(" + " UNION ALL ".join(f'SELECT * FROM "{s}".rows' for s in schemas) + ")"


def _remove_orphans(folder: Path) -> None:
    """Delete staging files left by processes that no longer exist (killed while ADBC was
    writing, before the attach that unlinks them); the file name carries the writer's pid."""
    for path in folder.glob(f"{_FILE_PREFIX}*.db"):
        pid = path.name.removeprefix(_FILE_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):  # e.g. another user's file in a sticky /tmp
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _ingest(path: str, frame: pl.DataFrame) -> None:
    """`frame` as table `rows` of a new SQLite file at `path`, in one transaction with no
    journal and no fsync (a throwaway file: a crash only loses the staging copy). ADBC's
    low-level API takes the frame through the Arrow C stream interface: no pyarrow and no
    DB-API layer (whose import alone pulls in pandas, ~0.6 s)."""
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite

    with adbc_driver_sqlite.connect(path) as database, adbc.AdbcConnection(database) as conn:
        for pragma in ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF"):
            with adbc.AdbcStatement(conn) as statement:
                statement.set_sql_query(pragma)
                statement.execute_update()
        conn.set_autocommit(False)
        with adbc.AdbcStatement(conn) as statement:
            statement.set_options(
                **{
                    adbc.StatementOptions.INGEST_TARGET_TABLE.value: "rows",
                    adbc.StatementOptions.INGEST_MODE.value: adbc.INGEST_OPTION_MODE_CREATE,
                }
            )
            statement.bind_stream(frame)
            statement.execute_update()
        conn.commit()


def detach_staged(raw: Any, info: dict[str, Any]) -> None:
    """Detach the staging files `raw` attached (outside any transaction); their space is
    freed as the last handle closes."""
    for schema in info.pop(_INFO_KEY, []):
        # Still in a transaction: the file is freed when `raw` closes instead.
        with contextlib.suppress(sqlite3.OperationalError):
            raw.execute(f'DETACH DATABASE "{schema}"')
