"""forecast ratio history: each refresh keeps every SKU's network-wide 预测库存风险 ratio with the
time it was computed, so a backtest reads the forecast Ordo held when each order was placed

Revision ID: 0031_forecast_ratio_history
Revises: 0030_analytics_facts
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_forecast_ratio_history"
down_revision = "0030_analytics_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_ratio_history",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("computed_at_ns", sa.BigInteger, primary_key=True),
        sa.Column("ratio", sa.Float, nullable=False),
    )
    op.create_index("ix_forecast_ratio_history_at", "forecast_ratio_history", ["computed_at_ns"])


def downgrade() -> None:
    op.drop_table("forecast_ratio_history")
