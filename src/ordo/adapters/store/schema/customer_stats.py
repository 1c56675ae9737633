"""What the rules read of a customer's history, kept as it happens (migration
``0023_customer_stats``), on the shared ``metadata``.

* ``customer_stats`` – per customer (the channel's buyer ref, as ``customers.ref``): orders
  placed (less those cancelled), lifetime spend in fen (the same), orders returned, and when
  the first and the last order were placed (``0028_customer_recency``: recency and RFM).
  Intake adds each new order in its transaction; the returned and cancelled milestones
  adjust it in theirs.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

customer_stats = sa.Table(
    "customer_stats",
    metadata,
    sa.Column("customer_ref", sa.String(64), primary_key=True),
    sa.Column("orders", sa.Integer, nullable=False, server_default="0"),
    sa.Column("spend_fen", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("returns", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_order_at_ns", sa.BigInteger, nullable=True),
    sa.Column("last_order_at_ns", sa.BigInteger, nullable=True),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
