"""Tables of platform shops, order pulling and shipment write-back (migration
``0013_platform_shops`` must match these).

``platform_shops``: one row per shop on a platform (several per platform), with its own
app key, secret and session token; ``version`` grows on every rotation so a process
holding an older copy notices. ``platform_pull_cursors``: how far each shop's incremental
download got (by modified time). ``platform_orders``: which shop each pulled order came
from (write-back answers to that shop). ``platform_shipments``: one shipment
confirmation per order and waybill, until the platform acknowledged it (or it is a dead
letter waiting for a replay).
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

platform_shops = sa.Table(
    "platform_shops",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("app_key", sa.String(64), nullable=False),
    sa.Column("app_secret", sa.String(200), nullable=False),
    sa.Column("session", sa.String(400), nullable=False),
    sa.Column("endpoint", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_platform_shops_channel", platform_shops.c.channel)

platform_pull_cursors = sa.Table(
    "platform_pull_cursors",
    metadata,
    sa.Column("shop_id", sa.String(32), primary_key=True),
    sa.Column("cursor_ns", sa.BigInteger, nullable=False),
    sa.Column("pulled", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

platform_orders = sa.Table(
    "platform_orders",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("external_id", sa.String(64), primary_key=True),
    sa.Column("shop_id", sa.String(32), nullable=False),
    sa.Column("pulled_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_platform_orders_shop", platform_orders.c.shop_id)

platform_shipments = sa.Table(
    "platform_shipments",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("shop_id", sa.String(32), nullable=False),
    sa.Column("order_id", sa.String(24), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("external_id", sa.String(64), nullable=False),
    sa.Column("waybill", sa.String(64), nullable=False),
    sa.Column("carrier", sa.String(32), nullable=False),
    #: pending → acked; pending → dead (attempts spent) → pending again on replay.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at_ns", sa.BigInteger, nullable=False),
    #: When the goods left (the outbound milestone) and when the platform wants to know.
    sa.Column("outbound_at_ns", sa.BigInteger, nullable=False),
    sa.Column("due_at_ns", sa.BigInteger, nullable=False),
    sa.Column("acked_at_ns", sa.BigInteger, nullable=True),
    sa.Column("sla_raised", sa.Boolean, nullable=False),
    sa.Column("last_error", sa.String(400), nullable=False, server_default=""),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    #: What the platform is told (migration 0021_platform_lines): ``ship`` (a parcel left),
    #: ``cancel`` (the order was cancelled), ``intercept`` (a parcel is being called back).
    sa.Column("kind", sa.String(16), nullable=False, server_default="ship"),
    #: The platform line ids the parcel holds with their quantities (``oid=2,oid=1``); empty:
    #: the whole order.
    sa.Column("lines", sa.String(1000), nullable=False, server_default=""),
    sa.UniqueConstraint("order_id", "kind", "waybill", name="uq_platform_shipments_parcel"),
)
sa.Index("ix_platform_shipments_due", platform_shipments.c.state, platform_shipments.c.next_at_ns)

#: Which platform listing (item and its SKU id) sells an Ordo SKU in a shop
#: (``platform_listings``), and the sellable quantity each listing should show
#: (``platform_stock_pushes``: one row per listing holding the latest quantity wanted,
#: pending until the platform took it, or a dead letter; migration ``0019_platform_stock``).
platform_listings = sa.Table(
    "platform_listings",
    metadata,
    sa.Column("shop_id", sa.String(32), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("platform_sku_id", sa.String(64), primary_key=True),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_platform_listings_sku", platform_listings.c.shop_id, platform_listings.c.sku)

platform_stock_pushes = sa.Table(
    "platform_stock_pushes",
    metadata,
    sa.Column("shop_id", sa.String(32), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("platform_sku_id", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    #: pending → acked; pending → dead (attempts spent, or refused) → pending on replay.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at_ns", sa.BigInteger, nullable=False),
    sa.Column("acked_at_ns", sa.BigInteger, nullable=True),
    sa.Column("last_error", sa.String(400), nullable=False, server_default=""),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_platform_stock_pushes_due", platform_stock_pushes.c.state, platform_stock_pushes.c.next_at_ns)
