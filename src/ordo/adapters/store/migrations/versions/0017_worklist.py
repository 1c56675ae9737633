"""worklist: indexes for searching orders by platform order number, phone, recipient and SKU;
saved views of the orders list per person

Revision ID: 0017_worklist
Revises: 0016_intercepts
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_worklist"
down_revision = "0016_intercepts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_external", "orders", ["external_id", "id"])
    op.create_index("ix_orders_phone", "orders", ["recipient_phone", "id"])
    op.create_index("ix_orders_recipient", "orders", ["recipient_name", "id"])
    op.create_index("ix_order_lines_sku", "order_lines", ["sku", "order_id"])
    op.create_table(
        "saved_views",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saved_views")
    op.drop_index("ix_order_lines_sku", table_name="order_lines")
    op.drop_index("ix_orders_recipient", table_name="orders")
    op.drop_index("ix_orders_phone", table_name="orders")
    op.drop_index("ix_orders_external", table_name="orders")
