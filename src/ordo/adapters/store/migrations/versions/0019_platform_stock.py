"""platform stock sync: listings (shop, item, platform SKU id → Ordo SKU) and the
quantity each listing should show, pending until the platform took it

Revision ID: 0019_platform_stock
Revises: 0018_rule_actions
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_platform_stock"
down_revision = "0018_rule_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_listings",
        sa.Column("shop_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("platform_sku_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "item_id", "platform_sku_id"),
    )
    op.create_index("ix_platform_listings_sku", "platform_listings", ["shop_id", "sku"])
    op.create_table(
        "platform_stock_pushes",
        sa.Column("shop_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("platform_sku_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("acked_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=400), server_default="", nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "item_id", "platform_sku_id"),
    )
    op.create_index("ix_platform_stock_pushes_due", "platform_stock_pushes", ["state", "next_at_ns"])


def downgrade() -> None:
    op.drop_index("ix_platform_stock_pushes_due", table_name="platform_stock_pushes")
    op.drop_table("platform_stock_pushes")
    op.drop_index("ix_platform_listings_sku", table_name="platform_listings")
    op.drop_table("platform_listings")
