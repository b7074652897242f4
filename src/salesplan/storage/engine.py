"""Engines for SQLite (embedded, one person) and PostgreSQL (teams), configured the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from salesplan.errors import StoreError


def create_store_engine(url: str) -> Engine:
    """Create an engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            "Cannot open the database at {url}: {reason}", url=url, reason=exc
        ) from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, future=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(
            "Cannot open the database at {url}: {reason}", url=url, reason=exc
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _detach_staging)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _detach_staging(dbapi_connection: Any, record: Any) -> None:
    """Bulk writes attach staging files that can only be detached once their transaction is
    over: a connection coming back to the pool is the first moment that is true."""
    if dbapi_connection is not None and record.info:  # nothing staged: nothing to import
        from salesplan.storage import sqlite_staging

        sqlite_staging.detach_staged(dbapi_connection, record.info)


def display_url(engine: Engine) -> str:
    """The engine's URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)
