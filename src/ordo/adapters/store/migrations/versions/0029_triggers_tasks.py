"""event-stream triggers: each customer's events as the trigger runner read them off the outbox
(咨询, 投诉, 下单, 退货, 延迟 …) and the tasks the triggers raised for sales or service, with an
owner, a due time and a key that makes each occurrence raise one task only

Revision ID: 0029_triggers_tasks
Revises: 0028_customer_recency
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_triggers_tasks"
down_revision = "0028_customer_recency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("customer_ref", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("order_id", sa.String(40), nullable=True),
        sa.Column("at_ns", sa.BigInteger, nullable=False),
        sa.Column("source_event_id", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_customer_events_customer_at", "customer_events", ["customer_ref", "at_ns", "id"])
    op.create_index("ux_customer_events_source", "customer_events", ["source_event_id", "kind"], unique=True)
    op.create_table(
        "tasks",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("dedupe_key", sa.String(160), nullable=False, unique=True),
        sa.Column("rule_version", sa.Integer, nullable=True),
        sa.Column("rule_id", sa.String(32), nullable=False),
        sa.Column("rule_source", sa.Text, nullable=False),
        sa.Column("customer_ref", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(40), nullable=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("due_at_ns", sa.BigInteger, nullable=False),
        sa.Column("created_at_ns", sa.BigInteger, nullable=False),
        sa.Column("closed_at_ns", sa.BigInteger, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_tasks_status_due", "tasks", ["status", "due_at_ns", "id"])


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("customer_events")
