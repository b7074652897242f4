"""The bulk path from the store to Polars: one function per record kind.

Reads go through connectorx (Arrow, no Python object per row) for SQLite files and
PostgreSQL, and fall back to SQLAlchemy for anything else (e.g. in-memory SQLite). The
result always has exactly the canonical columns of domain.records, stage keys included.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine

from salesplan.domain.records import RecordKind, conform

_STAGE_JOIN = "JOIN stage s ON s.code = t.stage_code"

_QUERIES: dict[RecordKind, str] = {
    RecordKind.OPPORTUNITY: f"SELECT t.*, s.key AS stage FROM opportunity t {_STAGE_JOIN}",
    RecordKind.STAGE_EVENT: (
        f"SELECT t.*, s.key AS stage FROM stage_event t {_STAGE_JOIN} "
        "ORDER BY t.opportunity_id, t.entered_at"
    ),
    RecordKind.ACCOUNT: "SELECT * FROM account",
    RecordKind.LEAD: 'SELECT * FROM "lead"',
    RecordKind.ACTIVITY: "SELECT * FROM activity",
    RecordKind.TEAM_MEMBER: "SELECT * FROM team_member",
    RecordKind.PRODUCT: "SELECT * FROM product",
    RecordKind.FX_RATE: "SELECT * FROM fx_rate ORDER BY currency, valid_from",
}


def read_frame(engine: Engine, kind: RecordKind) -> pl.DataFrame:
    """All stored rows of `kind` as a frame with the canonical schema."""
    query = _QUERIES[kind]
    uri = connectorx_uri(engine)
    frame = _read_connectorx(uri, query) if uri else None
    if frame is None:
        with engine.connect() as connection:
            frame = pl.read_database(query, connection, infer_schema_length=None)
    return conform(kind, frame)


def read_opportunities(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.OPPORTUNITY)


def read_stage_events(engine: Engine) -> pl.DataFrame:
    return read_frame(engine, RecordKind.STAGE_EVENT)


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


def connectorx_uri(engine: Engine) -> str | None:
    """The connectorx form of the engine's URL, or None when connectorx cannot read it."""
    url = engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return f"sqlite://{path}" if path.startswith("/") else None
    if backend == "postgresql":
        plain = url.set(drivername="postgresql")
        return plain.render_as_string(hide_password=False)
    return None


def _read_connectorx(uri: str, query: str) -> pl.DataFrame | None:
    import connectorx as cx

    try:
        frame = cx.read_sql(uri, query, return_type="polars")
    except (RuntimeError, ValueError, OSError):
        return None
    return frame if isinstance(frame, pl.DataFrame) else None
