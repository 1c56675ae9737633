"""people: users, sessions, failed sign-ins; keys that belong to a user or carry a scope;
the authors of a rule draft; rollbacks waiting for approval

Revision ID: 0014_people
Revises: 0013_platform_shops
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_people"
down_revision = "0013_platform_shops"
branch_labels = None
depends_on = None

_BIG_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=16), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("ended_at_ns", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("login"),
    )
    op.add_column("api_keys", sa.Column("user_id", sa.String(length=16), nullable=True))
    op.add_column("api_keys", sa.Column("scope", sa.JSON(), nullable=True))
    op.add_column("rule_drafts", sa.Column("authors", sa.JSON(), nullable=True))
    op.create_table(
        "rule_rollbacks",
        sa.Column("id", _BIG_SERIAL, autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_person", sa.String(length=64), nullable=False),
        sa.Column("requested_role", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("requested_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("approver", sa.String(length=64), nullable=True),
        sa.Column("approver_role", sa.String(length=16), nullable=True),
        sa.Column("approved_at_ns", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("rule_rollbacks")
    with op.batch_alter_table("rule_drafts") as batch:
        batch.drop_column("authors")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("scope")
        batch.drop_column("user_id")
    op.drop_table("login_failures")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
