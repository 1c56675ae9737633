"""split parcels and cancellations told to the platforms: each order line keeps the
platform's own line id (its sub-order: Taobao oid, Douyin SKU order id …); a platform
write-back row has a kind (ship, cancel, intercept) and the platform line ids its parcel
holds, and is one per order, kind and waybill

Revision ID: 0021_platform_lines
Revises: 0020_risk_radar
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_platform_lines"
down_revision = "0020_risk_radar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(
            sa.Column("platform_line_id", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("platform_shipments") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="ship"))
        batch.add_column(sa.Column("lines", sa.String(length=1000), nullable=False, server_default=""))
        batch.drop_constraint("uq_platform_shipments_parcel", type_="unique")
        batch.create_unique_constraint("uq_platform_shipments_parcel", ["order_id", "kind", "waybill"])


def downgrade() -> None:
    with op.batch_alter_table("platform_shipments") as batch:
        batch.drop_constraint("uq_platform_shipments_parcel", type_="unique")
        batch.create_unique_constraint("uq_platform_shipments_parcel", ["order_id", "waybill"])
        batch.drop_column("lines")
        batch.drop_column("kind")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("platform_line_id")
