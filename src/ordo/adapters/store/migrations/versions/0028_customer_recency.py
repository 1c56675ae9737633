"""customer recency: when each customer's last order was placed, kept beside the first, so
the rules' 距上次下单天数 and the RFM recency score read one row

Revision ID: 0028_customer_recency
Revises: 0027_forecast_risk
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_customer_recency"
down_revision = "0027_forecast_risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch:
        batch.add_column(sa.Column("last_order_at_ns", sa.BigInteger, nullable=True))
    # The backfill: each customer's latest order (cancelled or not, as the first order is kept).
    op.execute(
        "UPDATE customer_stats SET last_order_at_ns = "
        "(SELECT MAX(o.placed_at_ns) FROM orders o WHERE o.customer_ref = customer_stats.customer_ref)"
    )


def downgrade() -> None:
    with op.batch_alter_table("customer_stats") as batch:
        batch.drop_column("last_order_at_ns")
