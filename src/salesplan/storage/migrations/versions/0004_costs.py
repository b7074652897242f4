"""costs: optional deal cost and product unit cost

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("opportunity", sa.Column("cost_minor", sa.BigInteger(), nullable=True))
    op.add_column("product", sa.Column("unit_cost_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_column("unit_cost_minor")
    with op.batch_alter_table("opportunity") as batch:
        batch.drop_column("cost_minor")
