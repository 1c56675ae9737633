"""analytics: one narrow row per order (the view's columns) and its sums per day × at most two
dimensions, so a question over a million orders reads days × groups instead of joining orders,
milestones, routing decisions and incidents at ask time; filled by the analytics projector
(an empty table is rebuilt from the orders on its first catch-up: the backfill)

Revision ID: 0030_analytics_facts
Revises: 0029_triggers_tasks
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_analytics_facts"
down_revision = "0029_triggers_tasks"
branch_labels = None
depends_on = None

_NAME = 100
_FLAGS_A = ("delivered", "on_time", "late", "slack_known")
_FLAGS_B = (
    "shipped",
    "collected_in_24h",
    "routed",
    "split",
    "has_incident",
    "incident_auto_closed",
    "held",
    "cancelled",
    "returned",
)


def _measures() -> list[sa.Column[object]]:
    return [
        *(sa.Column(f, sa.Integer, nullable=False) for f in _FLAGS_A),
        sa.Column("slack_h", sa.Float, nullable=False),
        *(sa.Column(f, sa.Integer, nullable=False) for f in _FLAGS_B),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_facts",
        sa.Column("order_id", sa.String(40), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("warehouse", sa.String(_NAME), nullable=True),
        sa.Column("carrier", sa.String(_NAME), nullable=True),
        sa.Column("province", sa.String(32), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("status", sa.String(24), nullable=True),
        sa.Column("placed_at_ns", sa.BigInteger, nullable=True),
        sa.Column("promised_at_ns", sa.BigInteger, nullable=True),
        sa.Column("total_fen", sa.BigInteger, nullable=True),
        sa.Column("delivered_at_ns", sa.BigInteger, nullable=True),
        sa.Column("outbound_at_ns", sa.BigInteger, nullable=True),
        *_measures(),
    )
    op.create_index("ix_analytics_facts_placed", "analytics_facts", ["placed_at_ns"])
    op.create_index("ix_analytics_facts_delivered", "analytics_facts", ["delivered_at_ns"])
    op.create_index("ix_analytics_facts_outbound", "analytics_facts", ["outbound_at_ns"])
    op.create_table(
        "analytics_daily",
        sa.Column("basis", sa.String(24), primary_key=True),
        sa.Column("dims", sa.String(48), primary_key=True),
        sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("warehouse", sa.String(_NAME), primary_key=True),
        sa.Column("carrier", sa.String(_NAME), primary_key=True),
        sa.Column("province", sa.String(32), primary_key=True),
        sa.Column("city", sa.String(32), primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False),
        *_measures(),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("analytics_daily")
    op.drop_index("ix_analytics_facts_outbound", table_name="analytics_facts")
    op.drop_index("ix_analytics_facts_delivered", table_name="analytics_facts")
    op.drop_index("ix_analytics_facts_placed", table_name="analytics_facts")
    op.drop_table("analytics_facts")
