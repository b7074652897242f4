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
the pool: SQLite refuses to DETACH inside the transaction that read it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from itertools import count
from typing import Any

import polars as pl

STAGING_ROWS = 20_000
"""Frames from this many rows go through a staging file; smaller ones are bound directly
(ADBC's start-up and the extra copy cost more than they save on a few thousand rows)."""

_SCHEMA_PREFIX = "salesplan_staging_"
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


def available(raw: Any) -> bool:
    """Whether the ADBC driver is installed and `raw` can attach one more database."""
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    names = [row[1] for row in raw.execute("PRAGMA database_list").fetchall()]
    attached = [n for n in names if n not in ("main", "temp")]
    return len(attached) < int(raw.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED))


def stage(raw: Any, info: dict[str, Any], frame: pl.DataFrame) -> str:
    """Write `frame` (already `storable`) to a staging file, attach it to `raw` and return the
    qualified name of its table (`schema.rows`). `info` is the pooled connection's info
    dictionary: the schema is recorded there so `detach_staged` can detach it later."""
    import adbc_driver_sqlite.dbapi as adbc

    handle, path = tempfile.mkstemp(prefix="salesplan-staging-", suffix=".db")
    os.close(handle)
    try:
        with adbc.connect(path, autocommit=True) as staging, staging.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=OFF")  # a throwaway file: no journal
            cursor.fetchall()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("BEGIN")
            cursor.adbc_ingest("rows", frame.to_arrow(), mode="create")
            cursor.execute("COMMIT")
        schema = f"{_SCHEMA_PREFIX}{next(_names)}"
        raw.execute("ATTACH DATABASE ? AS " + schema, (path,))
        info.setdefault(_INFO_KEY, []).append(schema)
    finally:
        os.unlink(path)
    return f'"{schema}".rows'


def detach_staged(raw: Any, info: dict[str, Any]) -> None:
    """Detach the staging files `raw` attached (outside any transaction); their space is
    freed as the last handle closes."""
    for schema in info.pop(_INFO_KEY, []):
        # Still in a transaction: the file is freed when `raw` closes instead.
        with contextlib.suppress(sqlite3.OperationalError):
            raw.execute(f'DETACH DATABASE "{schema}"')
