"""omnichannel intake: SKU map, webhook secrets, dead letters, pending updates

Revision ID: 0002_channels
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_channels"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "channel_sku_map",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform_sku", sa.String(length=64), nullable=False),
        sa.Column("ordo_sku", sa.String(length=64), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "platform_sku"),
    )
    op.create_table(
        "channel_secrets",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel"),
    )
    op.create_table(
        "channel_dead_letters",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=True),
        sa.Column("received_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("channel_dead_letters", schema=None) as batch_op:
        batch_op.create_index("ix_channel_dead_letters_state", ["state", "id"], unique=False)
    op.create_table(
        "channel_pending",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("channel_pending", schema=None) as batch_op:
        batch_op.create_index("ix_channel_pending_key", ["channel", "external_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("channel_pending", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_pending_key")
    op.drop_table("channel_pending")
    with op.batch_alter_table("channel_dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_dead_letters_state")
    op.drop_table("channel_dead_letters")
    op.drop_table("channel_secrets")
    op.drop_table("channel_sku_map")
