"""platform shops: per-shop credentials, pull cursors, pulled orders, shipment write-back

Revision ID: 0013_platform_shops
Revises: 0002_holds
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_platform_shops"
down_revision = "0002_holds"
branch_labels = None
depends_on = None

_BIG_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "platform_shops",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("app_key", sa.String(length=64), nullable=False),
        sa.Column("app_secret", sa.String(length=200), nullable=False),
        sa.Column("session", sa.String(length=400), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_platform_shops_channel", "platform_shops", ["channel"])
    op.create_table(
        "platform_pull_cursors",
        sa.Column("shop_id", sa.String(length=32), nullable=False),
        sa.Column("cursor_ns", sa.BigInteger(), nullable=False),
        sa.Column("pulled", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id"),
    )
    op.create_table(
        "platform_orders",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.String(length=32), nullable=False),
        sa.Column("pulled_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id"),
    )
    op.create_index("ix_platform_orders_shop", "platform_orders", ["shop_id"])
    op.create_table(
        "platform_shipments",
        sa.Column("id", _BIG_SERIAL, autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("waybill", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("outbound_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("due_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("acked_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("sla_raised", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=400), server_default="", nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "waybill", name="uq_platform_shipments_parcel"),
    )
    op.create_index("ix_platform_shipments_due", "platform_shipments", ["state", "next_at_ns"])


def downgrade() -> None:
    op.drop_index("ix_platform_shipments_due", table_name="platform_shipments")
    op.drop_table("platform_shipments")
    op.drop_index("ix_platform_orders_shop", table_name="platform_orders")
    op.drop_table("platform_orders")
    op.drop_table("platform_pull_cursors")
    op.drop_index("ix_platform_shops_channel", table_name="platform_shops")
    op.drop_table("platform_shops")
