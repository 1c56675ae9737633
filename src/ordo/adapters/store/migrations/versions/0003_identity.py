"""customer identity and parcel merges

Revision ID: 0002_identity
Revises: 0002_channels
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_identity"
down_revision = "0002_channels"
branch_labels = None
depends_on = None

_ID = sa.String(length=24)
_KEY = sa.String(length=160)
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "identity_customers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("root", _ID, nullable=False),
        sa.Column("merged_into", _ID, nullable=True),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_customers_root", "identity_customers", ["root"])
    op.create_table(
        "identity_keys",
        sa.Column("key", _KEY, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("display", _KEY, nullable=False),
        sa.Column("origin_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("first_order_id", _ID, nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_identity_keys_customer", "identity_keys", ["customer_id"])
    op.create_index("ix_identity_keys_origin", "identity_keys", ["origin_id"])
    op.create_table(
        "identity_merges",
        sa.Column("id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("winner_id", _ID, nullable=False),
        sa.Column("loser_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.Column("split_at_ns", sa.BigInteger(), nullable=True),
        sa.Column("split_by", sa.String(length=64), nullable=True),
        sa.Column("split_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_merges_winner", "identity_merges", ["winner_id"])
    op.create_index("ix_identity_merges_loser", "identity_merges", ["loser_id"])
    op.create_table(
        "identity_blocks",
        sa.Column("a_id", _ID, nullable=False),
        sa.Column("b_id", _ID, nullable=False),
        sa.Column("merge_id", sa.BigInteger(), nullable=False),
        sa.Column("at_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("a_id", "b_id"),
    )
    op.create_table(
        "order_customers",
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("primary_key", _KEY, nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_order_customers_customer", "order_customers", ["customer_id", "order_id"])
    op.create_table(
        "order_identifiers",
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("display", _KEY, nullable=False),
        sa.Column("key", _KEY, nullable=True),
        sa.PrimaryKeyConstraint("order_id", "position"),
    )
    op.create_table(
        "parcels",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("warehouse_id", sa.String(length=32), nullable=False),
        sa.Column("created_at_ns", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "parcel_orders",
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("parcel_id", _ID, nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_parcel_orders_parcel", "parcel_orders", ["parcel_id"])


def downgrade() -> None:
    op.drop_index("ix_parcel_orders_parcel", table_name="parcel_orders")
    op.drop_table("parcel_orders")
    op.drop_table("parcels")
    op.drop_table("order_identifiers")
    op.drop_index("ix_order_customers_customer", table_name="order_customers")
    op.drop_table("order_customers")
    op.drop_table("identity_blocks")
    op.drop_index("ix_identity_merges_loser", table_name="identity_merges")
    op.drop_index("ix_identity_merges_winner", table_name="identity_merges")
    op.drop_table("identity_merges")
    op.drop_index("ix_identity_keys_origin", table_name="identity_keys")
    op.drop_index("ix_identity_keys_customer", table_name="identity_keys")
    op.drop_table("identity_keys")
    op.drop_index("ix_identity_customers_root", table_name="identity_customers")
    op.drop_table("identity_customers")
