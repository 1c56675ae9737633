"""analytics: questions over a period read orders by when they were placed and milestones by
step and time, through indexes instead of every row

Revision ID: 0026_analytics_indexes
Revises: 0025_risk_exposure_indexes
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0026_analytics_indexes"
down_revision = "0025_risk_exposure_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_placed", "orders", ["placed_at_ns"])
    op.create_index("ix_milestones_step_at", "milestones", ["milestone", "at_ns"])


def downgrade() -> None:
    op.drop_index("ix_milestones_step_at", table_name="milestones")
    op.drop_index("ix_orders_placed", table_name="orders")
