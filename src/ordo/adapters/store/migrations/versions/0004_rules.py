"""rule governance: drafts, versions, state, audit, live outcomes

Revision ID: 0002_rules
Revises: 0002_identity
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_rules"
down_revision = "0002_identity"
branch_labels = None
depends_on = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ACTOR = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "rule_drafts",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("required_tier", sa.Integer(), nullable=False),
        sa.Column("escalation", sa.String(length=500), nullable=True),
        sa.Column("author", _ACTOR, nullable=False),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("breaker", sa.JSON(), nullable=False),
        sa.Column("backtest", sa.JSON(), nullable=True),
        sa.Column("submitted_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("approver", _ACTOR, nullable=True),
        sa.Column("approver_role", sa.String(length=16), nullable=True),
        sa.Column("approved_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rule_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("draft_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("author", _ACTOR, nullable=False),
        sa.Column("approver", _ACTOR, nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("breaker", sa.JSON(), nullable=False),
        sa.Column("backtest", sa.JSON(), nullable=True),
        sa.Column("published_by", _ACTOR, nullable=False),
        sa.Column("published_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    state = op.create_table(
        "rule_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("active_version", sa.Integer(), nullable=True),
        sa.Column("canary_version", sa.Integer(), nullable=True),
        sa.Column("canary", sa.JSON(), nullable=True),
        sa.Column("watch_version", sa.Integer(), nullable=True),
        sa.Column("watch_since_ns", sa.BigInteger(), nullable=True),
        sa.Column("fallback_version", sa.Integer(), nullable=True),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row every publish and rollback locks and rewrites.
    op.bulk_insert(state, [{"id": 1, "revision": 0, "updated_at_ns": 0}])
    op.create_table(
        "rule_audit",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("actor", _ACTOR, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("draft_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rule_audit_draft", "rule_audit", ["draft_id", "id"])
    op.create_table(
        "rule_outcomes",
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("canary", sa.Boolean(), nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("discount_fen", sa.BigInteger(), nullable=False),
        sa.Column("exception", sa.Boolean(), nullable=False),
        sa.Column("fired", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_rule_outcomes_version", "rule_outcomes", ["version", "at_ns"])


def downgrade() -> None:
    op.drop_index("ix_rule_outcomes_version", table_name="rule_outcomes")
    op.drop_table("rule_outcomes")
    op.drop_index("ix_rule_audit_draft", table_name="rule_audit")
    op.drop_table("rule_audit")
    op.drop_table("rule_state")
    op.drop_table("rule_versions")
    op.drop_table("rule_drafts")
