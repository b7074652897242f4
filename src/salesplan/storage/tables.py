"""Tables of the canonical model, portable across SQLite and PostgreSQL.

Money is stored as BIGINT minor units beside its ISO currency (exact on both databases;
SQLite has no exact decimal type). Stages are stored as their ordered integer code. Every
record row names the import batch that last wrote it; `opportunity_snapshot` keeps each
batch's view of every opportunity so stage history can be rebuilt from repeated imports.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = 64  # CRM ids are short strings; 64 leaves room for prefixed composite ids.
NAME = 255
CODE = 64


def _id(name: str = "id") -> Column[str]:
    return Column(name, String(ID), primary_key=True)


def _batch() -> Column[int]:
    return Column("batch_id", Integer, ForeignKey("import_batch.id"), nullable=False, index=True)


import_batch = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(CODE), nullable=False),
    Column("source", Text, nullable=False),
    Column("preset", String(CODE)),
    Column("as_of", Date, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("checksum", String(CODE)),
)

stage = Table(
    "stage",
    metadata,
    Column("code", Integer, primary_key=True, autoincrement=False),
    Column("key", String(CODE), nullable=False, unique=True),
    Column("label", String(NAME), nullable=False),
    Column("status", String(8), nullable=False),
    Column("default_probability", Float, nullable=False),
)

fx_rate = Table(
    "fx_rate",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    # Plan-currency units per unit of `currency`, as exact decimal text.
    Column("rate", String(40), nullable=False),
    _batch(),
)

team_member = Table(
    "team_member",
    metadata,
    _id(),
    Column("name", String(NAME)),
    Column("email", String(NAME)),
    Column("role", String(16)),
    Column("manager_id", String(ID)),
    Column("team", String(NAME)),
    Column("region", String(CODE)),
    Column("segment", String(CODE)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("annual_quota_minor", BigInteger),
    Column("ramp_months", Integer),
    Column("annual_cost_minor", BigInteger),
    Column("currency", String(3)),
    _batch(),
)

product = Table(
    "product",
    metadata,
    _id(),
    Column("name", String(NAME)),
    Column("family", String(NAME)),
    Column("list_price_minor", BigInteger),
    Column("currency", String(3)),
    _batch(),
    Column("unit_cost_minor", BigInteger),  # 0004
)

account = Table(
    "account",
    metadata,
    _id(),
    Column("name", String(NAME)),
    Column("industry", String(CODE)),
    Column("employees", BigInteger),
    Column("annual_revenue_minor", BigInteger),
    Column("currency", String(3)),
    Column("country", String(CODE)),
    Column("region", String(CODE)),
    Column("segment", String(CODE)),
    Column("customer_since", Date),
    Column("churned_on", Date),
    _batch(),
)

opportunity = Table(
    "opportunity",
    metadata,
    _id(),
    Column("name", String(NAME)),
    Column("account_id", String(ID), index=True),
    Column("owner_id", String(ID), index=True),
    Column("pipeline", String(CODE)),
    Column("amount_minor", BigInteger),
    Column("currency", String(3)),
    Column("created_on", Date),
    Column("close_date", Date),
    Column("closed_on", Date),
    Column("stage_code", Integer, ForeignKey("stage.code"), nullable=False),
    Column("status", String(8), nullable=False),
    Column("probability", Float),
    Column("forecast_category", String(16)),
    Column("type", String(16)),
    Column("source", String(CODE)),
    Column("product", String(NAME)),
    Column("segment", String(CODE)),
    Column("region", String(CODE)),
    Column("industry", String(CODE)),
    Column("loss_reason", String(NAME)),
    Column("competitor", String(NAME)),
    Column("promotion", String(CODE)),
    Column("discount_pct", Float),
    Column("next_step", Text),
    Column("next_step_date", Date),
    Column("last_activity_on", Date),
    _batch(),
    Column("cost_minor", BigInteger),  # 0004: cost of goods/services sold, deal currency
)

opportunity_snapshot = Table(
    "opportunity_snapshot",
    metadata,
    Column("batch_id", Integer, ForeignKey("import_batch.id"), primary_key=True),
    Column("opportunity_id", String(ID), primary_key=True),
    Column("stage_code", Integer, nullable=False),
    Column("status", String(8), nullable=False),
    Column("amount_minor", BigInteger),
    Column("currency", String(3)),
    Column("close_date", Date),
)

stage_event = Table(
    "stage_event",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("opportunity_id", String(ID), nullable=False),
    Column("stage_code", Integer, ForeignKey("stage.code"), nullable=False),
    Column("entered_at", DateTime, nullable=False),
    Column("amount_minor", BigInteger),
    Column("close_date", Date),
    _batch(),
    Index("ix_stage_event_opportunity_entered", "opportunity_id", "entered_at"),
)

lead = Table(
    "lead",
    metadata,
    _id(),
    Column("created_on", Date),
    Column("source", String(CODE)),
    Column("status", String(16)),
    Column("mql_on", Date),
    Column("sql_on", Date),
    Column("converted_on", Date),
    Column("opportunity_id", String(ID)),
    Column("owner_id", String(ID)),
    Column("segment", String(CODE)),
    Column("region", String(CODE)),
    Column("industry", String(CODE)),
    Column("company_size", String(CODE)),
    Column("disqualify_reason", String(NAME)),
    _batch(),
)

activity = Table(
    "activity",
    metadata,
    _id(),
    Column("type", String(16)),
    Column("occurred_at", DateTime),
    Column("owner_id", String(ID), index=True),
    Column("opportunity_id", String(ID), index=True),
    Column("lead_id", String(ID)),
    Column("account_id", String(ID)),
    Column("outcome", String(NAME)),
    _batch(),
)

plan_version = Table(
    "plan_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", Integer, nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("author", String(NAME), nullable=False),
    Column("reason", Text, nullable=False),
    # The plan.yaml text exactly as stored (comments and key order included) and its SHA-256.
    Column("content", Text, nullable=False),
    Column("content_hash", String(CODE), nullable=False),
)

review = Table(
    "review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(CODE), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("author", String(NAME), nullable=False),
    Column("as_of", Date, nullable=False),
    # The latest import batch when the review ran: which data it read.
    Column("import_batch_id", Integer, ForeignKey("import_batch.id")),
    # The whole review as JSON text (docs/reviews.md), incl. each deal's expected value.
    Column("payload", Text, nullable=False),
)
