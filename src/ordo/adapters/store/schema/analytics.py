"""The analytics tables the questions (问数) read instead of joining the orders at ask time.

* ``analytics_facts`` – one row per order: the ``analytics_orders`` view's columns (dimension
  names, the three time columns, the 0/1 flags and the amount every metric sums), kept by the
  analytics projector from the outbox (``ordo.adapters.store.analytics.facts``). No names,
  phones or addresses below the city.
* ``analytics_daily`` – those facts summed per Asia/Shanghai day of one time column
  (``basis``), for each set of at most two dimensions (``dims``, e.g. ``"channel,warehouse"``;
  a dimension outside the set is ``''``): a question over whole days that names at most two
  dimensions reads days × groups rows, not the orders.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

_NAME = 100
#: The 0/1 flags of the view, one column each (in the view's order).
FLAGS = (
    "delivered",
    "on_time",
    "late",
    "slack_known",
    "shipped",
    "collected_in_24h",
    "routed",
    "split",
    "has_incident",
    "incident_auto_closed",
    "held",
    "cancelled",
    "returned",
)

analytics_facts = sa.Table(
    "analytics_facts",
    metadata,
    sa.Column("order_id", sa.String(40), primary_key=True),
    sa.Column("channel", sa.String(32), nullable=True),
    sa.Column("warehouse", sa.String(_NAME), nullable=True),
    sa.Column("carrier", sa.String(_NAME), nullable=True),
    sa.Column("province", sa.String(32), nullable=True),
    sa.Column("city", sa.String(32), nullable=True),
    sa.Column("status", sa.String(24), nullable=True),
    sa.Column("placed_at_ns", sa.BigInteger, nullable=True),
    sa.Column("promised_at_ns", sa.BigInteger, nullable=True),
    sa.Column("total_fen", sa.BigInteger, nullable=True),
    sa.Column("delivered_at_ns", sa.BigInteger, nullable=True),
    sa.Column("outbound_at_ns", sa.BigInteger, nullable=True),
    *(sa.Column(f, sa.Integer, nullable=False) for f in FLAGS[:4]),
    sa.Column("slack_h", sa.Float, nullable=False),
    *(sa.Column(f, sa.Integer, nullable=False) for f in FLAGS[4:]),
)
sa.Index("ix_analytics_facts_placed", analytics_facts.c.placed_at_ns)
sa.Index("ix_analytics_facts_delivered", analytics_facts.c.delivered_at_ns)
sa.Index("ix_analytics_facts_outbound", analytics_facts.c.outbound_at_ns)

analytics_daily = sa.Table(
    "analytics_daily",
    metadata,
    sa.Column("basis", sa.String(24), primary_key=True),
    sa.Column("dims", sa.String(48), primary_key=True),
    sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("warehouse", sa.String(_NAME), primary_key=True),
    sa.Column("carrier", sa.String(_NAME), primary_key=True),
    sa.Column("province", sa.String(32), primary_key=True),
    sa.Column("city", sa.String(32), primary_key=True),
    sa.Column("orders", sa.Integer, nullable=False),
    *(sa.Column(f, sa.Integer, nullable=False) for f in FLAGS[:4]),
    sa.Column("slack_h", sa.Float, nullable=False),
    *(sa.Column(f, sa.Integer, nullable=False) for f in FLAGS[4:]),
    sa.Column("total_fen", sa.BigInteger, nullable=False),
)
