"""substitute SKUs: what may ship instead of a SKU that is out of stock (sku → substitute,
units of the substitute per unit ordered, channel scope, priority), with who changed it

Revision ID: 0022_sku_substitutes
Revises: 0021_platform_lines
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_sku_substitutes"
down_revision = "0021_platform_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sku_substitutes",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("substitute", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), server_default="", nullable=False),
        sa.Column("ratio", sa.Integer(), server_default="1", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("sku", "substitute", "channel"),
    )


def downgrade() -> None:
    op.drop_table("sku_substitutes")
