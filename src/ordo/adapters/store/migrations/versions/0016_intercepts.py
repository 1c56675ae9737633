"""intercepts: the 拦截 request sent when an order the warehouse already had is held, and its answer

Revision ID: 0016_intercepts
Revises: 0015_canonical_places
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_intercepts"
down_revision = "0015_canonical_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_intercepts",
        sa.Column("order_id", sa.String(24), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("requested_at_ns", sa.BigInteger, nullable=False),
        sa.Column("at_ns", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("hold_reason", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("order_intercepts")
