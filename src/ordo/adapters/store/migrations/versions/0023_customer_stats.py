"""customer statistics the rules read live: per customer (the channel's buyer ref) the orders
placed, the lifetime spend in fen, the orders returned and the first order's time, kept up
to date by intake and by the returned / cancelled milestones

Revision ID: 0023_customer_stats
Revises: 0022_sku_substitutes
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_customer_stats"
down_revision = "0022_sku_substitutes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_stats",
        sa.Column("customer_ref", sa.String(64), primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False, server_default="0"),
        sa.Column("spend_fen", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("returns", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_order_at_ns", sa.BigInteger, nullable=True),
        sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("customer_stats")
