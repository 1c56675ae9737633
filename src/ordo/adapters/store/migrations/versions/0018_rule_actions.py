"""rule actions: permission freezes, notify channels and deliveries, discount budgets

Revision ID: 0018_rule_actions
Revises: 0017_worklist
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_rule_actions"
down_revision = "0017_worklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "rule_outcomes", sa.Column("over_budget", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "permission_freezes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("permission", sa.String(32), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("since_ns", sa.BigInteger(), nullable=False),
        sa.Column("last_signal_ns", sa.BigInteger(), nullable=False),
        sa.Column("clears_after_s", sa.Integer(), nullable=False),
        sa.Column("lifted_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("lifted_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_permission_freezes_open", "permission_freezes", ["lifted_at_ns", "role"])
    op.create_table(
        "notify_channels",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(1000), nullable=False),
        sa.Column("secret", sa.String(500), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "notify_deliveries",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(24), nullable=True),
        sa.Column("text", sa.String(4000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ns", sa.BigInteger(), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("sent_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("summary_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(500), nullable=False),
    )
    op.create_index("ix_notify_deliveries_due", "notify_deliveries", ["status", "next_attempt_ns"])
    op.create_index("ix_notify_deliveries_sent", "notify_deliveries", ["channel", "sent_at_ns"])


def downgrade() -> None:
    op.drop_index("ix_notify_deliveries_sent", table_name="notify_deliveries")
    op.drop_index("ix_notify_deliveries_due", table_name="notify_deliveries")
    op.drop_table("notify_deliveries")
    op.drop_table("notify_channels")
    op.drop_index("ix_permission_freezes_open", table_name="permission_freezes")
    op.drop_table("permission_freezes")
    with op.batch_alter_table("rule_outcomes") as batch:
        batch.drop_column("over_budget")
