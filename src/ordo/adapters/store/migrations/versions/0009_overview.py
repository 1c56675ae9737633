"""dashboard projections: overview counts and flow, projector cursors, order tags; province index

Revision ID: 0002_overview
Revises: 0002_inventory
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_overview"
down_revision = "0002_inventory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "overview_counts",
        sa.Column("dim", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("dim", "key"),
    )
    op.create_table(
        "overview_flow",
        sa.Column("minute_ns", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("minute_ns", "channel"),
    )
    op.create_table(
        "projector_cursors",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "order_tags",
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tag", "order_id"),
    )
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.create_index("ix_order_tags_channel", ["tag", "channel", "order_id"], unique=False)
        batch_op.create_index("ix_order_tags_province", ["tag", "province", "order_id"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_province", ["province", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_province")
    with op.batch_alter_table("order_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_order_tags_province")
        batch_op.drop_index("ix_order_tags_channel")
    op.drop_table("order_tags")
    op.drop_table("projector_cursors")
    op.drop_table("overview_flow")
    op.drop_table("overview_counts")
