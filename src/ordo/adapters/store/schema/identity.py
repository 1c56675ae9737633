"""Tables of customer identity and parcel merges (migration ``0002_identity``).

Declared on the shared ``metadata`` so the schema test and the store see them. The
link from an order to its customer is a table of its own (``order_customers``), not
a column on ``orders``: intake writes it with one bulk insert, a merge or split
rewrites only this narrow table, and the hot ``orders`` table keeps its shape.
These link tables carry no foreign key to ``orders`` because identity is resolved
before the order rows are inserted, in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

Id = sa.String(24)
Key = sa.String(160)

identity_customers = sa.Table(
    "identity_customers",
    metadata,
    sa.Column("id", Id, primary_key=True),
    # ``merged_into`` is the merge forest (never compressed); ``root`` caches its top.
    sa.Column("root", Id, nullable=False),
    sa.Column("merged_into", Id, nullable=True),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_identity_customers_root", identity_customers.c.root)

identity_keys = sa.Table(
    "identity_keys",
    metadata,
    sa.Column("key", Key, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("display", Key, nullable=False),
    sa.Column("origin_id", Id, nullable=False),
    sa.Column("customer_id", Id, nullable=False),
    sa.Column("first_order_id", Id, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_identity_keys_customer", identity_keys.c.customer_id)
sa.Index("ix_identity_keys_origin", identity_keys.c.origin_id)

identity_merges = sa.Table(
    "identity_merges",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("winner_id", Id, nullable=False),
    sa.Column("loser_id", Id, nullable=False),
    sa.Column("order_id", Id, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("split_at_ns", sa.BigInteger, nullable=True),
    sa.Column("split_by", sa.String(64), nullable=True),
    sa.Column("split_reason", sa.String(500), nullable=True),
)
sa.Index("ix_identity_merges_winner", identity_merges.c.winner_id)
sa.Index("ix_identity_merges_loser", identity_merges.c.loser_id)

identity_blocks = sa.Table(
    "identity_blocks",
    metadata,
    sa.Column("a_id", Id, primary_key=True),
    sa.Column("b_id", Id, primary_key=True),
    sa.Column("merge_id", sa.BigInteger, nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
)

order_customers = sa.Table(
    "order_customers",
    metadata,
    sa.Column("order_id", Id, primary_key=True),
    sa.Column("customer_id", Id, nullable=False),
    sa.Column("primary_key", Key, nullable=False),
)
sa.Index("ix_order_customers_customer", order_customers.c.customer_id, order_customers.c.order_id)

order_identifiers = sa.Table(
    "order_identifiers",
    metadata,
    sa.Column("order_id", Id, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("display", Key, nullable=False),
    sa.Column("key", Key, nullable=True),
)

parcels = sa.Table(
    "parcels",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("customer_id", Id, nullable=False),
    sa.Column("warehouse_id", sa.String(32), nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
)

parcel_orders = sa.Table(
    "parcel_orders",
    metadata,
    sa.Column("order_id", Id, primary_key=True),
    sa.Column("parcel_id", Id, nullable=False),
)
sa.Index("ix_parcel_orders_parcel", parcel_orders.c.parcel_id)
