"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` must match these.

Times are BIGINT UTC nanoseconds; money is BIGINT fen; flags and capabilities are
comma-separated text so both backends index and compare them the same way.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a log.
BigSerial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

warehouses = sa.Table(
    "warehouses",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("province", sa.String(32), nullable=False),
    sa.Column("city", sa.String(32), nullable=False),
    sa.Column("adcode", sa.String(12), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lng", sa.Float, nullable=False),
    sa.Column("klass", sa.String(16), nullable=False),
    sa.Column("capabilities", sa.String(200), nullable=False, server_default=""),
    sa.Column("daily_capacity", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

carriers = sa.Table(
    "carriers",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("coverage", sa.Text, nullable=False, server_default=""),
    sa.Column("capabilities", sa.String(200), nullable=False, server_default=""),
    sa.Column("daily_capacity", sa.Integer, nullable=False),
    sa.Column("base_fen", sa.BigInteger, nullable=False),
    sa.Column("per_kg_fen", sa.BigInteger, nullable=False),
)

skus = sa.Table(
    "skus",
    metadata,
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("price_fen", sa.BigInteger, nullable=False),
    sa.Column("weight_g", sa.Integer, nullable=False),
    sa.Column("flags", sa.String(200), nullable=False, server_default=""),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("ref", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False, server_default=""),
)

stock = sa.Table(
    "stock",
    metadata,
    sa.Column("warehouse_id", sa.String(32), sa.ForeignKey("warehouses.id"), primary_key=True),
    sa.Column("sku", sa.String(64), sa.ForeignKey("skus.sku"), primary_key=True),
    sa.Column("on_hand", sa.BigInteger, nullable=False),
    sa.Column("reserved", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("safety", sa.BigInteger, nullable=False, server_default="0"),
    # The last line of defence against overselling, whatever the code above does.
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
)
sa.Index("ix_stock_sku", stock.c.sku)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("external_id", sa.String(64), nullable=False),
    sa.Column("customer_ref", sa.String(64), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("warehouse_id", sa.String(32), nullable=True),
    sa.Column("hold_reason", sa.String(64), nullable=True),
    sa.Column("province", sa.String(32), nullable=False),
    sa.Column("city", sa.String(32), nullable=False),
    sa.Column("district", sa.String(32), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Column("adcode", sa.String(12), nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lng", sa.Float, nullable=True),
    sa.Column("recipient_name", sa.String(100), nullable=False),
    sa.Column("recipient_phone", sa.String(32), nullable=False),
    #: HMAC-SHA256 of the normalised phone under the identity pepper: what a search by phone
    #: looks up (migration 0024_phone_keys); None for a masked or empty phone.
    sa.Column("recipient_phone_key", sa.String(64), nullable=True),
    sa.Column("goods_fen", sa.BigInteger, nullable=False),
    sa.Column("discount_fen", sa.BigInteger, nullable=False),
    sa.Column("freight_fen", sa.BigInteger, nullable=False),
    sa.Column("total_fen", sa.BigInteger, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("remark", sa.String(1000), nullable=False),
    sa.Column("placed_at_ns", sa.BigInteger, nullable=False),
    sa.Column("paid_at_ns", sa.BigInteger, nullable=True),
    sa.Column("promised_at_ns", sa.BigInteger, nullable=True),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("channel", "external_id", name="uq_orders_channel_external"),
)
sa.Index("ix_orders_status", orders.c.status, orders.c.id)
sa.Index("ix_orders_channel", orders.c.channel, orders.c.id)
sa.Index("ix_orders_warehouse", orders.c.warehouse_id, orders.c.id)
sa.Index("ix_orders_customer", orders.c.customer_ref)
# Questions over a period (``ordo ask``, migration 0026_analytics_indexes).
sa.Index("ix_orders_placed", orders.c.placed_at_ns)
#: The risk radar's impact scan reads these alone, never the table rows: the orders of the
#: divisions an event covers, and those reserved at its warehouses (0025_risk_exposure_indexes).
_EXPOSED = (orders.c.status, orders.c.channel)
_AT_STAKE = (orders.c.total_fen, orders.c.promised_at_ns, orders.c.id)
sa.Index("ix_orders_exposure_place", orders.c.adcode, *_EXPOSED, *_AT_STAKE)
sa.Index("ix_orders_exposure_origin", orders.c.warehouse_id, *_EXPOSED, orders.c.adcode, *_AT_STAKE)
# Held orders only (migration 0002_holds), so the held-orders list never scans all orders.
_HELD = sa.text("hold_reason IS NOT NULL")
sa.Index("ix_orders_held", orders.c.id, sqlite_where=_HELD, postgresql_where=_HELD)

# The intercept (拦截) of a held order the warehouse already had (migration 0016_intercepts):
# requested when it was held, then the warehouse's answer (intercepted / failed), one row
# per order, the latest request and answer.
order_intercepts = sa.Table(
    "order_intercepts",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("requested_at_ns", sa.BigInteger, nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("hold_reason", sa.String(64), nullable=True),
)

order_lines = sa.Table(
    "order_lines",
    metadata,
    sa.Column("order_id", sa.String(24), sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
    sa.Column("discount_fen", sa.BigInteger, nullable=False),
    sa.Column("flags", sa.String(200), nullable=False),
    sa.Column("warehouse_id", sa.String(32), nullable=True),
    # The platform's own id of the line (its sub-order; migration 0021_platform_lines).
    sa.Column("platform_line_id", sa.String(64), nullable=False, server_default=""),
)

milestones = sa.Table(
    "milestones",
    metadata,
    sa.Column("order_id", sa.String(24), sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("milestone", sa.String(24), primary_key=True),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("recorded_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_milestones_step_at", milestones.c.milestone, milestones.c.at_ns)

anomalies = sa.Table(
    "anomalies",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(24), nullable=True),
    sa.Column("milestone", sa.String(24), nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("message", sa.String(500), nullable=False),
    sa.Column("recorded_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_anomalies_order", anomalies.c.order_id)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("order_id", sa.String(24), nullable=True),
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
)
sa.Index("ix_events_order", events.c.order_id, events.c.id)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("revoked_at_ns", sa.BigInteger, nullable=True),
    # The person the key acts for (it takes their role and scope), or None: an integration
    # (or a key from before users) named by ``name``, bound by its own ``scope``.
    sa.Column("user_id", sa.String(16), nullable=True),
    sa.Column("scope", sa.JSON, nullable=True),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("response", sa.JSON, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
