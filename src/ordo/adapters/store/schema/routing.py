"""Tables of routing decisions (migration ``0002_routing_decisions``), on the shared ``metadata``.

* ``routing_decisions`` – one row per order and routing attempt (1 = intake, then every
  re-route): the chosen plan in plain columns for lists and reports, and the compact
  decision evidence (candidates, exclusions, objectives, weights, rules fired) in ``data``;
* ``routing_networks`` – the warehouse list a decision's positions refer to, stored once
  per catalog version (keyed by a digest of the list), so a decision does not repeat
  hundreds of warehouse ids.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

routing_decisions = sa.Table(
    "routing_decisions",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("trigger", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("warehouse_ids", sa.String(200), nullable=False),
    sa.Column("carrier_ids", sa.String(200), nullable=False),
    sa.Column("promise_ns", sa.BigInteger, nullable=True),
    sa.Column("profile", sa.String(32), nullable=False),
    sa.Column("network", sa.String(16), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)

routing_networks = sa.Table(
    "routing_networks",
    metadata,
    sa.Column("digest", sa.String(16), primary_key=True),
    sa.Column("warehouses", sa.Text, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
)
