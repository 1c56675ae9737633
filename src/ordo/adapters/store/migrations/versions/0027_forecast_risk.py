"""the last demand forecast per SKU × warehouse: 72-hour and 14-day demand, the stock it was
judged against, days of cover, run-out time, risk level and ratio (the rules' 预测库存风险),
and the units suggested to reach the target cover

Revision ID: 0027_forecast_risk
Revises: 0026_analytics_indexes
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_forecast_risk"
down_revision = "0026_analytics_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_risk",
        sa.Column("warehouse_id", sa.String(32), primary_key=True),
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("demand_72h", sa.Float, nullable=False),
        sa.Column("demand_14d", sa.Float, nullable=False),
        sa.Column("available", sa.BigInteger, nullable=False),
        sa.Column("days_of_cover", sa.Float, nullable=True),
        sa.Column("runout_at_ns", sa.BigInteger, nullable=True),
        sa.Column("risk", sa.String(8), nullable=False),
        sa.Column("ratio", sa.Float, nullable=False),
        sa.Column("suggest_units", sa.BigInteger, nullable=False),
        sa.Column("computed_at_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("forecast_risk")
