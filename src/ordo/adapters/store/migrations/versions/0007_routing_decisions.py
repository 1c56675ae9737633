"""routing decisions: one snapshot per order and attempt, and the networks they refer to

Revision ID: 0002_routing_decisions
Revises: 0002_exceptions
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_routing_decisions"
down_revision = "0002_exceptions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_decisions",
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("attempt", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("warehouse_ids", sa.String(length=200), nullable=False),
        sa.Column("carrier_ids", sa.String(length=200), nullable=False),
        sa.Column("promise_ns", sa.BigInteger(), nullable=True),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "attempt"),
    )
    op.create_table(
        "routing_networks",
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("warehouses", sa.Text(), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )


def downgrade() -> None:
    op.drop_table("routing_networks")
    op.drop_table("routing_decisions")
