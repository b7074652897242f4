"""canonical model

Revision ID: 0001
Revises:
Create Date: 2026-11-28 06:09:31.555219
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("preset", sa.String(length=64), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "stage",
        sa.Column("code", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("default_probability", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_stage")),
        sa.UniqueConstraint("key", name=op.f("uq_stage_key")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("employees", sa.BigInteger(), nullable=True),
        sa.Column("annual_revenue_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("customer_since", sa.Date(), nullable=True),
        sa.Column("churned_on", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_account_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("opportunity_id", sa.String(length=64), nullable=True),
        sa.Column("lead_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=255), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_activity_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activity_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "fx_rate",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_fx_rate_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("currency", "valid_from", name=op.f("pk_fx_rate")),
    )
    with op.batch_alter_table("fx_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fx_rate_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "lead",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("mql_on", sa.Date(), nullable=True),
        sa.Column("sql_on", sa.Date(), nullable=True),
        sa.Column("converted_on", sa.Date(), nullable=True),
        sa.Column("opportunity_id", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("company_size", sa.String(length=64), nullable=True),
        sa.Column("disqualify_reason", sa.String(length=255), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_lead_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "opportunity",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("pipeline", sa.String(length=64), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("stage_code", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("forecast_category", sa.String(length=16), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("loss_reason", sa.String(length=255), nullable=True),
        sa.Column("competitor", sa.String(length=255), nullable=True),
        sa.Column("promotion", sa.String(length=64), nullable=True),
        sa.Column("discount_pct", sa.Float(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("next_step_date", sa.Date(), nullable=True),
        sa.Column("last_activity_on", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_opportunity_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["stage_code"], ["stage.code"], name=op.f("fk_opportunity_stage_code_stage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity")),
    )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opportunity_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunity_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "opportunity_snapshot",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("stage_code", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_opportunity_snapshot_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "opportunity_id", name=op.f("pk_opportunity_snapshot")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("family", sa.String(length=255), nullable=True),
        sa.Column("list_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_product_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "stage_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("stage_code", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_stage_event_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["stage_code"], ["stage.code"], name=op.f("fk_stage_event_stage_code_stage")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_event")),
    )
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_event_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_stage_event_opportunity_entered", ["opportunity_id", "entered_at"], unique=False
        )

    op.create_table(
        "team_member",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("team", sa.String(length=255), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("annual_quota_minor", sa.BigInteger(), nullable=True),
        sa.Column("ramp_months", sa.Integer(), nullable=True),
        sa.Column("annual_cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_team_member_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_batch_id"))

    op.drop_table("team_member")
    with op.batch_alter_table("stage_event", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_event_opportunity_entered")
        batch_op.drop_index(batch_op.f("ix_stage_event_batch_id"))

    op.drop_table("stage_event")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_batch_id"))

    op.drop_table("product")
    op.drop_table("opportunity_snapshot")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_owner_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_batch_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_account_id"))

    op.drop_table("opportunity")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_batch_id"))

    op.drop_table("lead")
    with op.batch_alter_table("fx_rate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fx_rate_batch_id"))

    op.drop_table("fx_rate")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_owner_id"))
        batch_op.drop_index(batch_op.f("ix_activity_opportunity_id"))
        batch_op.drop_index(batch_op.f("ix_activity_batch_id"))

    op.drop_table("activity")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_batch_id"))

    op.drop_table("account")
    op.drop_table("stage")
    op.drop_table("import_batch")
