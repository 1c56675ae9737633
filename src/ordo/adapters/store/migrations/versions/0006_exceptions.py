"""exceptions, their watch list, telemetry state, coupons, scan cursor

Revision ID: 0002_exceptions
Revises: 0002_outbound
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_exceptions"
down_revision = "0002_outbound"
branch_labels = None
depends_on = None

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "order_exceptions",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("detector", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("open_key", sa.String(length=120), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("playbook", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("due_ns", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ns", sa.BigInteger(), nullable=True),
        sa.Column("opened_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("closed_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.String(length=500), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_order_exceptions_open_key", "order_exceptions", ["open_key"], unique=True)
    op.create_index("ix_order_exceptions_order", "order_exceptions", ["order_id", "id"])
    op.create_index("ix_order_exceptions_state", "order_exceptions", ["state", "detector"])
    op.create_index("ix_order_exceptions_next", "order_exceptions", ["next_attempt_ns"])
    op.create_index("ix_order_exceptions_closed", "order_exceptions", ["closed_at_ns"])
    op.create_table(
        "exception_watch",
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("warehouse_id", sa.String(length=32), nullable=True),
        sa.Column("hold_reason", sa.String(length=64), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("fired", sa.String(length=400), nullable=False),
        sa.Column("last_milestone", sa.String(length=24), nullable=False),
        sa.Column("last_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column("due_ns", sa.BigInteger(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_exception_watch_due", "exception_watch", ["due_ns"])
    op.create_table(
        "telemetry_state",
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("outside_since_ns", sa.BigInteger(), nullable=True),
        sa.Column("last_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("last_celsius", sa.Float(), nullable=True),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.Column("peak_c", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "device_id"),
    )
    op.create_table(
        "compensation_coupons",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("exception_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("issued_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compensation_coupons_order", "compensation_coupons", ["order_id"])
    scan = op.create_table(
        "exception_scan",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("last_scan_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row every scan locks: scans in several processes take turns.
    op.bulk_insert(scan, [{"id": 1, "cursor": 0, "last_scan_ns": 0}])


def downgrade() -> None:
    op.drop_table("exception_scan")
    op.drop_index("ix_compensation_coupons_order", table_name="compensation_coupons")
    op.drop_table("compensation_coupons")
    op.drop_table("telemetry_state")
    op.drop_index("ix_exception_watch_due", table_name="exception_watch")
    op.drop_table("exception_watch")
    for name in (
        "ix_order_exceptions_closed", "ix_order_exceptions_next", "ix_order_exceptions_state",
        "ix_order_exceptions_order", "ux_order_exceptions_open_key",
    ):  # fmt: skip
        op.drop_index(name, table_name="order_exceptions")
    op.drop_table("order_exceptions")
