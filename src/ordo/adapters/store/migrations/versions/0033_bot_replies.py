"""bot replies: each chat bot answer sent (or waiting for room in the platform's rate limit),
so the limit is counted from stored sends across processes and a deferred answer is not lost

Revision ID: 0033_bot_replies
Revises: 0032_risk_plan_decisions
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033_bot_replies"
down_revision = "0032_risk_plan_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_replies",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("bot", sa.String(64), nullable=False),
        sa.Column("chat", sa.String(128), nullable=False),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("reply_to", sa.JSON(), nullable=False),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ns", sa.BigInteger(), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("sent_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("summary_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(500), nullable=False),
    )
    op.create_index("ix_bot_replies_due", "bot_replies", ["status", "next_attempt_ns"])
    op.create_index("ix_bot_replies_sent", "bot_replies", ["platform", "bot", "sent_at_ns"])
    op.create_index("ix_bot_replies_chat", "bot_replies", ["platform", "chat", "sent_at_ns"])


def downgrade() -> None:
    op.drop_table("bot_replies")
