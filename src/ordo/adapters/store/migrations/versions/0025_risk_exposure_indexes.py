"""risk radar: the impact scan reads covering indexes instead of table rows — by place
(adcode, status, channel, total, promise, id) and by origin (warehouse, status, channel,
adcode, total, promise, id); the plain adcode index of 0020 is dropped

Revision ID: 0025_risk_exposure_indexes
Revises: 0024_phone_keys
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0025_risk_exposure_indexes"
down_revision = "0024_phone_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_adcode", table_name="orders")
    op.create_index(
        "ix_orders_exposure_place",
        "orders",
        ["adcode", "status", "channel", "total_fen", "promised_at_ns", "id"],
    )
    op.create_index(
        "ix_orders_exposure_origin",
        "orders",
        ["warehouse_id", "status", "channel", "adcode", "total_fen", "promised_at_ns", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_orders_exposure_origin", table_name="orders")
    op.drop_index("ix_orders_exposure_place", table_name="orders")
    op.create_index("ix_orders_adcode", "orders", ["adcode"])
