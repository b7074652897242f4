"""The bulk path from the store to Polars: one function per record kind.

Reads go through connectorx (Arrow, no Python object per row) for SQLite files and
PostgreSQL, and fall back to SQLAlchemy for anything else (e.g. in-memory SQLite). The
result always has exactly the canonical columns of domain.records, stage keys included.

Columnar cache: reading 1M opportunities from a database costs seconds, from Parquet a
fraction of that. When a cache folder is registered for an engine (services do it for the
workspace), each kind is kept as `<kind>.<key>.parquet`, where the key changes with every
import batch; a stale or missing file is rebuilt from the store. The cache is derived data:
deleting it loses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import weakref
from collections.abc import Sequence
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from salesplan.domain.records import SCHEMAS, RecordKind, conform
from salesplan.storage import tables

_STAGE_JOIN = "JOIN stage s ON s.code = t.stage_code"

_QUERIES: dict[RecordKind, str] = {
    RecordKind.OPPORTUNITY: f"SELECT t.*, s.key AS stage FROM opportunity t {_STAGE_JOIN}",
    RecordKind.STAGE_EVENT: f"SELECT t.*, s.key AS stage FROM stage_event t {_STAGE_JOIN}",
    RecordKind.ACCOUNT: "SELECT * FROM account",
    RecordKind.LEAD: 'SELECT * FROM "lead"',
    RecordKind.ACTIVITY: "SELECT * FROM activity",
    RecordKind.TEAM_MEMBER: "SELECT * FROM team_member",
    RecordKind.PRODUCT: "SELECT * FROM product",
    RecordKind.FX_RATE: "SELECT * FROM fx_rate",
}

# Sorting in Polars is much faster than ORDER BY in the database.
_ORDER: dict[RecordKind, list[str]] = {
    RecordKind.STAGE_EVENT: ["opportunity_id", "entered_at"],
    RecordKind.FX_RATE: ["currency", "valid_from"],
}

_CACHE_DIRS: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def register_cache(engine: Engine, folder: Path) -> None:
    """Keep Parquet copies of frames read through `engine` in `folder`."""
    _CACHE_DIRS[engine] = folder


def read_frame(
    engine: Engine, kind: RecordKind, columns: Sequence[str] | None = None
) -> pl.DataFrame:
    """All stored rows of `kind` as a frame with the canonical schema; with `columns`, only
    those canonical columns (in that order): a cached read then loads nothing else."""
    if columns is not None:
        return _projected(engine, kind, list(columns))
    folder = _CACHE_DIRS.get(engine)
    if folder is None:
        return _read_store(engine, kind)
    # The key changes with every import and with the canonical columns of this salesplan,
    # so an upgrade never reads a file of another shape.
    shape = hashlib.sha1(repr(SCHEMAS[kind]).encode()).hexdigest()[:8]
    path = folder / f"{kind.value}.{store_version(engine)}.{shape}.parquet"
    if path.exists():
        with contextlib.suppress(OSError, pl.exceptions.PolarsError):
            return conform(kind, pl.read_parquet(path))
    frame = _read_store(engine, kind)
    _write_cache(folder, kind, path, frame)
    return frame


def _cache_path(engine: Engine, kind: RecordKind) -> Path | None:
    folder = _CACHE_DIRS.get(engine)
    if folder is None:
        return None
    shape = hashlib.sha1(repr(SCHEMAS[kind]).encode()).hexdigest()[:8]
    return folder / f"{kind.value}.{store_version(engine)}.{shape}.parquet"


def _projected(engine: Engine, kind: RecordKind, columns: list[str]) -> pl.DataFrame:
    schema = SCHEMAS[kind]
    unknown = [c for c in columns if c not in schema]
    if unknown:
        raise ValueError(f"not canonical {kind.value} columns: {unknown}")
    cast = [pl.col(c).cast(schema[c]) for c in columns]
    path = _cache_path(engine, kind)
    if path is not None and path.exists():
        with contextlib.suppress(OSError, pl.exceptions.PolarsError):
            return pl.read_parquet(path, columns=columns).select(cast)
    return read_frame(engine, kind).select(cast)


def store_version(engine: Engine) -> str:
    """A key that changes whenever an import batch is committed (or the database is replaced)."""
    batch = tables.import_batch
    query = select(
        func.max(batch.c.id),
        func.max(batch.c.imported_at),
        func.count(),
        func.sum(batch.c.row_count),
    )
    with engine.connect() as connection:
        row = connection.execute(query).one()
    identity = f"{engine.url.render_as_string(hide_password=True)}|{tuple(row)}"
    return hashlib.sha1(identity.encode()).hexdigest()[:16]


def _write_cache(folder: Path, kind: RecordKind, path: Path, frame: pl.DataFrame) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"{kind.value}.*.parquet"):
            stale.unlink(missing_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        frame.write_parquet(partial)
        os.replace(partial, path)
    except OSError:
        return  # a read-only workspace still works, just without the cache


def _read_store(engine: Engine, kind: RecordKind) -> pl.DataFrame:
    query = _QUERIES[kind]
    uri = connectorx_uri(engine)
    frame = _read_connectorx(uri, query) if uri else None
    if frame is None:
        frame = _read_dbapi(engine, kind, query)
    result = conform(kind, frame)
    order = _ORDER.get(kind)
    return result.sort(order, maintain_order=True) if order else result


def read_opportunities(engine: Engine, columns: Sequence[str] | None = None) -> pl.DataFrame:
    return read_frame(engine, RecordKind.OPPORTUNITY, columns)


def read_stage_events(engine: Engine, columns: Sequence[str] | None = None) -> pl.DataFrame:
    return read_frame(engine, RecordKind.STAGE_EVENT, columns)


def read_accounts(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.ACCOUNT)


def read_leads(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.LEAD)


def read_activities(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.ACTIVITY)


def read_team(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.TEAM_MEMBER)


def read_products(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.PRODUCT)


def read_fx_rates(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.FX_RATE)


def _read_dbapi(engine: Engine, kind: RecordKind, query: str) -> pl.DataFrame:
    """Rows through the engine's own driver; text dates (SQLite) parsed to the canonical types."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(query)
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
    finally:
        raw.close()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    schema = SCHEMAS[kind]
    series = []
    for name, values in zip(names, columns, strict=True):
        dtype = schema.get(name)
        column = pl.Series(name, values, strict=False)
        if dtype == pl.Date() and column.dtype == pl.String:
            column = column.str.slice(0, 10).str.to_date("%Y-%m-%d")
        elif dtype == pl.Datetime("us") and column.dtype == pl.String:
            column = column.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
        series.append(column)
    return pl.DataFrame(series)


def connectorx_uri(engine: Engine) -> str | None:
    """The connectorx form of the engine's URL, or None to read through the engine's driver.

    SQLite files: connectorx links its own copy of the SQLite library, which does not see
    commits still in this process's write-ahead log (measured: a read after a committed write
    missed it). So the WAL is checkpointed into the main file first; when that cannot finish
    (another connection is busy) the engine's own driver reads instead, slower but exact.
    """
    url = engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:") or not path.startswith("/"):
            return None
        return f"sqlite://{path}" if _checkpointed(engine) else None
    if backend == "postgresql":
        plain = url.set(drivername="postgresql")
        return plain.render_as_string(hide_password=False)
    return None


def _checkpointed(engine: Engine) -> bool:
    """Move every committed page from the WAL into the database file; True when complete."""
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except SQLAlchemyError:  # then read through the driver instead
        return False
    return row is not None and int(row[0]) == 0 and int(row[1]) <= 0


def _read_connectorx(uri: str, query: str) -> pl.DataFrame | None:
    import connectorx as cx

    try:
        frame = cx.read_sql(uri, query, return_type="polars")
    except (RuntimeError, ValueError, OSError):
        return None
    return frame if isinstance(frame, pl.DataFrame) else None
