"""held orders: a partial index so the dashboard's held-orders list never scans all orders

Revision ID: 0002_holds
Revises: 0002_cold_chain
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_holds"
down_revision = "0002_cold_chain"
branch_labels = None
depends_on = None

_HELD = sa.text("hold_reason IS NOT NULL")


def upgrade() -> None:
    # Held orders are few among many: index only them, newest first by id.
    op.create_index("ix_orders_held", "orders", ["id"], sqlite_where=_HELD, postgresql_where=_HELD)


def downgrade() -> None:
    op.drop_index("ix_orders_held", table_name="orders")
