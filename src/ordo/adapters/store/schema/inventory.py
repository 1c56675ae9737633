"""Tables of channel sellable quantities (migration ``0002_inventory`` must match these).

``channel_stock_rules``: per (channel, SKU) — or per channel for every SKU, ``sku = "*"``
— the buffer, exclusive allocation, publish-zero floor and sync threshold.
``channel_stock_published``: the quantity last published to each channel per SKU,
which the next sync compares against.
``sku_substitutes``: what may ship instead of an out-of-stock SKU (migration
``0022_sku_substitutes``): units of the substitute per unit ordered, a channel scope
(``""``: every channel) and a priority (lower first), with who changed it last.
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

sku_substitutes = sa.Table(
    "sku_substitutes",
    metadata,
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("substitute", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True, server_default=""),
    sa.Column("ratio", sa.Integer, nullable=False, server_default="1"),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
)
