"""channel sellable quantities: rules per channel and SKU, last published quantities

Revision ID: 0002_inventory
Revises: 0002_routing_decisions
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_inventory"
down_revision = "0002_routing_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_stock_rules",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("buffer_pct", sa.Integer(), server_default="0", nullable=False),
        sa.Column("buffer_units", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("exclusive", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("zero_below", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("threshold", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "sku"),
    )
    op.create_table(
        "channel_stock_published",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("published_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "sku"),
    )
    with op.batch_alter_table("channel_stock_published", schema=None) as batch_op:
        batch_op.create_index("ix_channel_stock_published_sku", ["sku"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_stock_published", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_stock_published_sku")
    op.drop_table("channel_stock_published")
    op.drop_table("channel_stock_rules")
