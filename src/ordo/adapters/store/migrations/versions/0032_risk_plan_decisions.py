"""risk plan decisions: what a disposal plan's proposal routed for each order (the
``routing_decisions`` row it will write and the stock it will take), so that execution
applies the approved actions as proposed instead of routing the orders again

Revision ID: 0032_risk_plan_decisions
Revises: 0031_forecast_ratio_history
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032_risk_plan_decisions"
down_revision = "0031_forecast_ratio_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_plan_decisions",
        sa.Column("plan_id", sa.String(32), primary_key=True),
        sa.Column("order_id", sa.String(24), primary_key=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("effect", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("risk_plan_decisions")
