"""The order workbench's lookups and saved views (migration ``0017_worklist``), on the shared
``metadata``.

* indexes that make a search by platform order number, recipient phone (its keyed hash),
  recipient name or SKU an index lookup over any number of orders (each ends in the order
  id, so a page comes out newest first without a sort);
* ``saved_views`` – a person's named filters of the orders list (who, name, the query).
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata, order_lines, orders

sa.Index("ix_orders_external", orders.c.external_id, orders.c.id)
# By the phone's keyed hash, never its plaintext (migration 0024_phone_keys).
sa.Index("ix_orders_phone_key", orders.c.recipient_phone_key, orders.c.id)
sa.Index("ix_orders_recipient", orders.c.recipient_name, orders.c.id)
sa.Index("ix_order_lines_sku", order_lines.c.sku, order_lines.c.order_id)

saved_views = sa.Table(
    "saved_views",
    metadata,
    sa.Column("owner", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("query", sa.JSON, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
