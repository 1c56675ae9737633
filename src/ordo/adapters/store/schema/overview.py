"""Tables of the dashboard's projections (migration ``0002_overview``), on the shared ``metadata``.

* ``overview_counts``   – one integer per (dimension, key): orders by status, channel,
  province and warehouse; delivered and on-time totals; refused updates by warehouse,
  region and reporting system. Small (hundreds of rows) whatever the number of orders;
* ``overview_flow``     – orders created per (minute, channel), kept for the last hours only;
* ``projector_cursors`` – per projector, the last outbox event it applied (its row is the
  lock that makes projectors in several processes take turns);
* ``order_tags``        – one row per (tag, order), with the order's fixed facts (channel,
  province, creation time), so a tag filter, alone or with a channel or a province, walks
  an index newest-first and checks a time window without visiting the orders.

Also the index the order search needs for its province filter.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata, orders

overview_counts = sa.Table(
    "overview_counts",
    metadata,
    sa.Column("dim", sa.String(24), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

overview_flow = sa.Table(
    "overview_flow",
    metadata,
    sa.Column("minute_ns", sa.BigInteger, primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

projector_cursors = sa.Table(
    "projector_cursors",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

order_tags = sa.Table(
    "order_tags",
    metadata,
    sa.Column("tag", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("province", sa.String(32), nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_order_tags_channel", order_tags.c.tag, order_tags.c.channel, order_tags.c.order_id)
sa.Index("ix_order_tags_province", order_tags.c.tag, order_tags.c.province, order_tags.c.order_id)
sa.Index("ix_orders_province", orders.c.province, orders.c.id)
