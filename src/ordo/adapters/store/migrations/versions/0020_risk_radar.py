"""risk radar: outside events (typhoons, closures, strikes …) with their geometry, window,
severity and impact status; their history; disposal plans; orders indexed by adcode

Revision ID: 0020_risk_radar
Revises: 0019_platform_stock
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_risk_radar"
down_revision = "0019_platform_stock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("adcodes", sa.Text(), server_default="", nullable=False),
        sa.Column("warehouses", sa.Text(), server_default="", nullable=False),
        sa.Column("carriers", sa.Text(), server_default="", nullable=False),
        sa.Column("starts_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("ends_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confirmed_hours", sa.Integer(), nullable=True),
        sa.Column("owners", sa.String(length=400), server_default="", nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_risk_events_window", "risk_events", ["status", "starts_at_ns"])
    op.create_index("ix_risk_events_source_ref", "risk_events", ["source", "source_ref"])
    op.create_table(
        "risk_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
    )
    op.create_index("ix_risk_history_subject", "risk_history", ["subject", "id"])
    op.create_table(
        "risk_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("money_fen", sa.BigInteger(), nullable=False),
        sa.Column("cost_delta_fen", sa.BigInteger(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), server_default="{}", nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_risk_plans_event", "risk_plans", ["event_id", "created_at_ns"])
    # The impact scan finds the open orders of the divisions an event covers by adcode.
    op.create_index("ix_orders_adcode", "orders", ["adcode"])


def downgrade() -> None:
    op.drop_index("ix_orders_adcode", table_name="orders")
    op.drop_index("ix_risk_plans_event", table_name="risk_plans")
    op.drop_table("risk_plans")
    op.drop_index("ix_risk_history_subject", table_name="risk_history")
    op.drop_table("risk_history")
    op.drop_index("ix_risk_events_source_ref", table_name="risk_events")
    op.drop_index("ix_risk_events_window", table_name="risk_events")
    op.drop_table("risk_events")
