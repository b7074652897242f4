"""Writing canonical frames into the store: dated import batches, upserts, snapshots.

Writes happen inside the caller's transaction (a `Connection` from `engine.begin()`), so an
import either lands whole or not at all. Bulk paths on SQLite: large frames staged through
ADBC and copied with `INSERT … SELECT` (sqlite_staging), smaller ones `executemany` of ISO-text
rows; COPY on PostgreSQL. All are fed from Polars without building a dict per row.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, cast

import polars as pl
from sqlalchemy import Connection, Table, delete, func, insert, select

from salesplan.domain.records import RecordKind, conform
from salesplan.domain.stages import StageList
from salesplan.storage import sqlite_staging, tables

TABLES: dict[RecordKind, Table] = {
    RecordKind.OPPORTUNITY: tables.opportunity,
    RecordKind.STAGE_EVENT: tables.stage_event,
    RecordKind.ACCOUNT: tables.account,
    RecordKind.LEAD: tables.lead,
    RecordKind.ACTIVITY: tables.activity,
    RecordKind.TEAM_MEMBER: tables.team_member,
    RecordKind.PRODUCT: tables.product,
    RecordKind.FX_RATE: tables.fx_rate,
}

_DELETE_CHUNK = 500

# Python's sqlite3 binds None through its adapter lookup, which fails slowly (two attribute
# probes per value) before binding NULL; registering None → None as an adapter makes a NULL
# as cheap as an int (measured: ~3× less binding time for NULL-heavy rows). The value
# bound is unchanged, so this is safe for every other user of sqlite3 in the process.
sqlite3.register_adapter(type(None), cast("Callable[[None], None]", {}.get))
_SQLITE_CHUNK = 50_000
"""Rows converted to Python objects at a time on SQLite (memory stays ~ this many rows)."""
_COPY_ROWS = 100_000
"""Rows formatted as CSV at a time for PostgreSQL's COPY."""
_REBUILD_ROWS = 50_000
"""Rows from which dropping a table's secondary indexes and rebuilding them afterwards pays
off, when the table is empty or (records with an id) the write replaces half of it or more."""
_BULK_CACHE_KIB = 512 * 1024
"""SQLite page cache during a bulk write, KiB (a ceiling: pages are allocated as used)."""


@dataclass(frozen=True, slots=True)
class ImportBatch:
    id: int
    kind: str
    source: str
    as_of: dt.date
    imported_at: dt.datetime
    row_count: int
    preset: str | None = None


def create_batch(
    conn: Connection,
    *,
    kind: str,
    source: str,
    as_of: dt.date,
    row_count: int,
    preset: str | None = None,
    checksum: str | None = None,
    imported_at: dt.datetime | None = None,
) -> ImportBatch:
    """Record one dated import; every row it writes points back to this batch."""
    when = imported_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    result = conn.execute(
        insert(tables.import_batch).values(
            kind=kind,
            source=source,
            preset=preset,
            as_of=as_of,
            imported_at=when,
            row_count=row_count,
            checksum=checksum,
        )
    )
    (batch_id,) = result.inserted_primary_key or (None,)
    assert batch_id is not None
    return ImportBatch(int(batch_id), kind, source, as_of, when, row_count, preset)


def list_batches(conn: Connection) -> list[ImportBatch]:
    rows = conn.execute(select(tables.import_batch).order_by(tables.import_batch.c.id)).mappings()
    return [
        ImportBatch(
            r["id"],
            r["kind"],
            r["source"],
            r["as_of"],
            r["imported_at"],
            r["row_count"],
            r["preset"],
        )
        for r in rows
    ]


def replace_stages(conn: Connection, stages: StageList) -> None:
    """Make `stages` the workspace's ordered stage list (codes are kept stable by the caller)."""
    existing = {row.code for row in conn.execute(select(tables.stage.c.code))}
    wanted = {s.code for s in stages.stages}
    stale = existing - wanted
    if stale:
        conn.execute(delete(tables.stage).where(tables.stage.c.code.in_(stale)))
    for s in stages.stages:
        values = {
            "key": s.key,
            "label": s.label,
            "status": s.status.value,
            "default_probability": s.default_probability,
        }
        if s.code in existing:
            conn.execute(tables.stage.update().where(tables.stage.c.code == s.code).values(values))
        else:
            conn.execute(insert(tables.stage).values(code=s.code, **values))


def read_stages(conn: Connection) -> StageList | None:
    """The workspace's stage list, or None when none has been stored yet."""
    t = tables.stage
    rows = conn.execute(
        select(t.c.code, t.c.key, t.c.label, t.c.status, t.c.default_probability).order_by(t.c.code)
    ).all()
    return StageList.from_rows(rows) if rows else None


def count_rows(conn: Connection, kind: RecordKind) -> int:
    return int(conn.execute(select(func.count()).select_from(TABLES[kind])).scalar_one())


def write_records(
    conn: Connection, kind: RecordKind, frame: pl.DataFrame, batch: ImportBatch
) -> int:
    """Upsert `frame` (canonical columns) as rows of `kind` written by `batch`; returns rows.

    Records with an `id` replace the stored row with the same id; stage events and FX rates
    replace the rows with the same natural key. Opportunities also get a snapshot row per batch.
    """
    table = TABLES[kind]
    frame = conform(kind, frame)
    if kind is RecordKind.OPPORTUNITY or kind is RecordKind.STAGE_EVENT:
        frame = frame.drop("stage")  # stored as its ordered code
    if "stage_code" in frame.columns and frame["stage_code"].null_count():
        raise ValueError("every opportunity and stage event needs a stage_code")
    frame = frame.with_columns(pl.lit(batch.id, pl.Int32).alias("batch_id"))
    if frame.height == 0:
        return 0
    if "id" in frame.columns and frame["id"].is_duplicated().any():
        duplicated = frame.filter(pl.col("id").is_duplicated())["id"].unique().sort().head(5)
        raise ValueError(f"duplicate {kind} ids in one write: {duplicated.to_list()}")
    big = frame.height >= _REBUILD_ROWS
    if kind is RecordKind.STAGE_EVENT or kind is RecordKind.FX_RATE:
        staged = _stage(conn, frame)
        if kind is RecordKind.STAGE_EVENT:  # by opportunity_id: needs its index, kept here
            empty = _delete_stage_events(conn, frame, staged)
        else:
            empty = _delete_keys(conn, table, frame, ("currency", "valid_from"))
        with _bulk_session(conn, table, rebuild_indexes=empty and big):
            _bulk_insert(conn, table, frame, staged)
        return frame.height
    # By id, through the primary key's own index, which is never dropped: when the write
    # replaces at least half the table (a weekly re-export of every deal), the secondary
    # indexes go first, so deleting and inserting a million rows maintains none of them.
    stored = count_rows(conn, kind) if big else 0
    staged = _stage(conn, frame)
    with _bulk_session(conn, table, rebuild_indexes=big and frame.height * 2 >= stored):
        _delete_ids(conn, table, frame["id"], staged)
        _bulk_insert(conn, table, frame, staged)
        if kind is RecordKind.OPPORTUNITY:
            _write_snapshots(conn, frame, batch)
    return frame.height


def _write_snapshots(conn: Connection, frame: pl.DataFrame, batch: ImportBatch) -> None:
    """One opportunity_snapshot row per opportunity `batch` wrote.

    On SQLite the rows are copied inside the database (`INSERT … SELECT` over the batch's
    rows, which `frame` just became), so no value crosses into Python a second time.
    """
    if conn.dialect.name == "sqlite":
        o, s = tables.opportunity, tables.opportunity_snapshot
        columns = ("batch_id", "stage_code", "status", "amount_minor", "currency", "close_date")
        conn.execute(
            insert(s).from_select(
                ["opportunity_id", *columns],
                select(o.c.id, *(o.c[c] for c in columns)).where(o.c.batch_id == batch.id),
            )
        )
        return
    snapshot = frame.select(
        pl.col("batch_id"),
        pl.col("id").alias("opportunity_id"),
        "stage_code",
        "status",
        "amount_minor",
        "currency",
        "close_date",
    )
    _bulk_insert(conn, tables.opportunity_snapshot, snapshot)


def _stage(conn: Connection, frame: pl.DataFrame) -> str | None:
    """The staged copy of `frame` (a table expression over attached files) when it is large
    and the store is SQLite (see sqlite_staging); None means bind the rows from Python."""
    if conn.dialect.name != "sqlite" or frame.height < sqlite_staging.STAGING_ROWS:
        return None
    raw = _raw(conn)
    parts = sqlite_staging.parts_for(raw, frame.height)
    if not parts:
        return None
    return sqlite_staging.stage(raw, conn.connection.info, sqlite_staging.storable(frame), parts)


def _delete_ids(conn: Connection, table: Table, ids: pl.Series, staged: str | None) -> bool:
    """Delete the stored rows `ids` replace; True when the table held no rows at all.

    On SQLite one statement over the staged ids, or one `executemany` of a primary-key delete
    (no SQL compiled per chunk of ids: a million ids were ~2,000 compiled statements)."""
    if not _has_rows(conn, table):
        return True
    if staged is not None:
        _raw(conn).execute(f'DELETE FROM "{table.name}" WHERE id IN (SELECT id FROM {staged})')
        return False
    values = ids.drop_nulls().to_list()
    if conn.dialect.name == "sqlite":
        raw = _raw(conn)
        cursor = raw.cursor()
        try:
            cursor.executemany(f'DELETE FROM "{table.name}" WHERE id = ?', zip(values))
        finally:
            cursor.close()
        return False
    for start in range(0, len(values), _DELETE_CHUNK):
        chunk = values[start : start + _DELETE_CHUNK]
        conn.execute(delete(table).where(table.c.id.in_(chunk)))
    return False


def _delete_stage_events(conn: Connection, frame: pl.DataFrame, staged: str | None) -> bool:
    """A re-import of an opportunity's history replaces that opportunity's events."""
    if staged is not None:
        if not _has_rows(conn, tables.stage_event):
            return True
        _raw(conn).execute(
            f"DELETE FROM stage_event WHERE opportunity_id IN (SELECT opportunity_id FROM {staged})"
        )
        return False
    return _delete_keys_in(
        conn, tables.stage_event, "opportunity_id", frame["opportunity_id"].unique()
    )


def _delete_keys_in(conn: Connection, table: Table, column: str, values: pl.Series) -> bool:
    if not _has_rows(conn, table):
        return True
    items = values.drop_nulls().to_list()
    for start in range(0, len(items), _DELETE_CHUNK):
        conn.execute(delete(table).where(table.c[column].in_(items[start : start + _DELETE_CHUNK])))
    return False


def _delete_keys(conn: Connection, table: Table, frame: pl.DataFrame, key: Sequence[str]) -> bool:
    if not _has_rows(conn, table):
        return True
    for row in frame.select(key).unique().iter_rows():
        conn.execute(delete(table).where(*(table.c[k] == v for k, v in zip(key, row, strict=True))))
    return False


def _raw(conn: Connection) -> Any:
    """The DB-API connection under `conn` (sqlite3's, for SQL SQLAlchemy cannot express)."""
    return conn.connection.driver_connection


def _has_rows(conn: Connection, table: Table) -> bool:
    return conn.execute(select(table.c[next(iter(table.c.keys()))]).limit(1)).first() is not None


@contextmanager
def _bulk_session(conn: Connection, table: Table, *, rebuild_indexes: bool) -> Iterator[None]:
    """SQLite settings for one bulk write, undone afterwards (other dialects: nothing).

    * A page cache of `_BULK_CACHE_KIB` instead of SQLite's 2 MB, so the B-trees being
      filled stay in memory rather than being spilled to the WAL and read back.
    * With `rebuild_indexes` (the table was empty and many rows are coming), the table's
      secondary indexes are dropped and re-created from their stored SQL afterwards: one
      sort per index instead of a random B-tree insert per row. DDL is transactional in
      SQLite, so this stays inside the caller's transaction (a failed import leaves them).
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = _raw(conn)
    (previous,) = raw.execute("PRAGMA cache_size").fetchone()
    (threads,) = raw.execute("PRAGMA threads").fetchone()
    raw.execute(f"PRAGMA cache_size=-{_BULK_CACHE_KIB}")
    raw.execute("PRAGMA threads=2")  # CREATE INDEX may sort with a helper thread
    indexes: list[tuple[str, str]] = []
    if rebuild_indexes and raw.in_transaction:  # outside one, DDL would commit on its own
        indexes = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table.name,),
        ).fetchall()
        for name, _ in indexes:
            raw.execute(f'DROP INDEX "{name}"')
    try:
        yield
        for _, sql in indexes:
            raw.execute(sql)
    finally:
        raw.execute(f"PRAGMA cache_size={int(previous)}")
        raw.execute(f"PRAGMA threads={int(threads)}")


def _bulk_insert(
    conn: Connection, table: Table, frame: pl.DataFrame, staged: str | None = None
) -> None:
    columns = [c for c in frame.columns if c in table.c]
    frame = frame.select(columns)
    dialect = conn.dialect.name
    if staged is not None:
        names = ", ".join(f'"{c}"' for c in columns)
        _raw(conn).execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {staged}')
    elif dialect == "sqlite":
        _insert_sqlite(conn, table, frame)
    elif dialect == "postgresql":
        _copy_postgres(conn, table, frame)
    else:  # any other SQLAlchemy dialect: portable, slower
        conn.execute(insert(table), frame.to_dicts())


def _insert_sqlite(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """executemany over ISO-text rows, the storage format SQLAlchemy itself uses on SQLite.

    Rows are zipped lazily from per-column lists of `_SQLITE_CHUNK` rows: no row tuples of
    the whole frame are ever held, and columns convert to Python objects in bulk. Binding is
    most of the cost (~5 µs per row of 28 values), so each chunk binds only what it must: columns
    empty in the chunk are left out (NULL, the store has no column defaults) and integer
    columns with one value throughout (`batch_id`) are written into the statement instead.
    Each statement inserts `_rows_per_statement` rows (multi-row VALUES: one step of the
    statement per group instead of per row); the chunk's last rows go in one shorter statement.
    """
    raw = _raw(conn)
    limit = _variable_limit(raw)
    cursor = raw.cursor()
    try:
        for offset in range(0, frame.height, _SQLITE_CHUNK):
            chunk = sqlite_staging.storable(frame.slice(offset, _SQLITE_CHUNK))
            bound, fixed = _chunk_columns(chunk)
            names = ", ".join(f'"{c}"' for c in [*bound, *fixed])
            row = "(" + ", ".join(["?"] * len(bound) + list(fixed.values())) + ")"
            head = f'INSERT INTO "{table.name}" ({names}) VALUES '
            per = _rows_per_statement(len(bound), limit)
            width = per * len(bound)
            full = chunk.height - chunk.height % per
            values = chain.from_iterable(zip(*(chunk[c].to_list() for c in bound), strict=True))
            if full:
                group = islice(values, full * len(bound))  # `width` values per statement
                groups = zip(*[group] * width, strict=True)
                cursor.executemany(head + ", ".join([row] * per), groups)
            if chunk.height > full:  # `values` resumes after the groups
                cursor.execute(head + ", ".join([row] * (chunk.height - full)), tuple(values))
    finally:
        cursor.close()


_ROWS_PER_STATEMENT = 32
"""Rows per INSERT statement on SQLite, at most; fewer when the statement would exceed
SQLite's bound-variable limit. Measured on 200k opportunity rows of ~26 bound values: 32 or
64 rows bind ~15 % faster than one row a statement, 1,000 rows gain less."""


def _rows_per_statement(width: int, limit: int) -> int:
    return max(1, min(_ROWS_PER_STATEMENT, limit // max(width, 1)))


def _variable_limit(raw: Any) -> int:
    """SQLITE_MAX_VARIABLE_NUMBER of this connection's library: 32766 by default since
    SQLite 3.32 (999 before), 250000 in some builds; read, not assumed."""
    return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _chunk_columns(chunk: pl.DataFrame) -> tuple[list[str], dict[str, str]]:
    """(columns to bind, {column: SQL integer literal} for the chunk's constant integers)."""
    bound: list[str] = []
    fixed: dict[str, str] = {}
    for series in chunk.iter_columns():
        nulls = series.null_count()
        if nulls == series.len():
            continue
        if nulls == 0 and series.dtype.is_integer():
            low, high = series.min(), series.max()
            if low == high and isinstance(low, int):
                fixed[series.name] = str(low)
                continue
        bound.append(series.name)
    if not bound and not fixed:  # an all-NULL chunk still needs one column to name
        bound.append(chunk.columns[0])
    return bound, fixed


def _copy_postgres(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """COPY in CSV form, written by Polars in blocks of `_COPY_ROWS` rows: no Python object per
    value (the rows are formatted in Rust; psycopg only passes the bytes on). Empty text is
    quoted (`""`) and NULL is an unquoted empty field, which COPY's CSV format tells apart."""
    raw = _raw(conn)
    names = ", ".join(f'"{c}"' for c in frame.columns)
    if frame.width == 1:  # a lone `\.` cell would read as COPY's end-of-data marker
        text_copy = f'COPY "{table.name}" ({names}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(text_copy) as copy:
            for chunk in _chunks(frame, _COPY_ROWS):
                for row in chunk:
                    copy.write_row(row)
        return
    sql = f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT csv)'
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for offset in range(0, frame.height, _COPY_ROWS):
            copy.write(
                frame.slice(offset, _COPY_ROWS).write_csv(
                    include_header=False,
                    null_value="",
                    quote_style="necessary",
                    date_format="%Y-%m-%d",
                    datetime_format="%Y-%m-%d %H:%M:%S%.6f",
                )
            )


def _chunks(frame: pl.DataFrame, size: int) -> Iterator[list[tuple[Any, ...]]]:
    for offset in range(0, frame.height, size):
        yield frame.slice(offset, size).rows()
