"""Tables of channel sellable quantities (migration ``0002_inventory`` must match these).

``channel_stock_rules``: per (channel, SKU) — or per channel for every SKU, ``sku = "*"``
— the buffer, exclusive allocation, publish-zero floor and sync threshold.
``channel_stock_published``: the quantity last published to each channel per SKU,
which the next sync compares against.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

channel_stock_rules = sa.Table(
    "channel_stock_rules",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("buffer_pct", sa.Integer, nullable=False, server_default="0"),
    sa.Column("buffer_units", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("exclusive", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("zero_below", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("threshold", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

channel_stock_published = sa.Table(
    "channel_stock_published",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("published_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_channel_stock_published_sku", channel_stock_published.c.sku)
