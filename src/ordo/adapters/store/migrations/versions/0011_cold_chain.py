"""cold chain: probe judgement state and replacement shipments

Revision ID: 0002_cold_chain
Revises: 0002_catalog_revision
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_cold_chain"
down_revision = "0002_catalog_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telemetry_probes",
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("fault", sa.String(length=32), nullable=True),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "device_id"),
    )
    op.create_table(
        "cold_chain_replacements",
        sa.Column("exception_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("replacement_order_id", sa.String(length=24), nullable=True),
        sa.Column("requested_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("placed_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("shipped_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("exception_id"),
    )
    op.create_index(
        "ix_cold_chain_replacements_replacement", "cold_chain_replacements", ["replacement_order_id"]
    )
    op.create_index("ix_cold_chain_replacements_state", "cold_chain_replacements", ["state"])


def downgrade() -> None:
    op.drop_index("ix_cold_chain_replacements_state", table_name="cold_chain_replacements")
    op.drop_index("ix_cold_chain_replacements_replacement", table_name="cold_chain_replacements")
    op.drop_table("cold_chain_replacements")
    op.drop_table("telemetry_probes")
