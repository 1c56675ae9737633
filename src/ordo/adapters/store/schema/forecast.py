"""The last demand forecast per SKU × warehouse (migration ``0027_forecast_risk``), on the
shared ``metadata``.

* ``forecast_risk`` – what ``ordo forecast refresh`` (or its background duty) last computed
  for each (warehouse, SKU): forecast units over the next 72 hours and 14 days, the available
  stock it was judged against, days of cover, the run-out day, the risk level, the rules'
  ratio (预测库存风险: 72-hour demand over available stock, capped at 1) and the units
  suggested to reach the target cover. Intake reads the ratio; a refresh replaces the rows.
* ``forecast_ratio_history`` – each refresh's network-wide ratio per SKU (what intake reads for
  an order of that SKU) with the time it was computed (``0031_forecast_ratio_history``): a
  backtest reads, for each order, the last one computed before the order was placed.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

forecast_risk = sa.Table(
    "forecast_risk",
    metadata,
    sa.Column("warehouse_id", sa.String(32), primary_key=True),
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("demand_72h", sa.Float, nullable=False),
    sa.Column("demand_14d", sa.Float, nullable=False),
    sa.Column("available", sa.BigInteger, nullable=False),
    sa.Column("days_of_cover", sa.Float, nullable=True),
    sa.Column("runout_at_ns", sa.BigInteger, nullable=True),
    sa.Column("risk", sa.String(8), nullable=False),
    sa.Column("ratio", sa.Float, nullable=False),
    sa.Column("suggest_units", sa.BigInteger, nullable=False),
    sa.Column("computed_at_ns", sa.BigInteger, nullable=False),
)

forecast_ratio_history = sa.Table(
    "forecast_ratio_history",
    metadata,
    sa.Column("sku", sa.String(64), primary_key=True),
    sa.Column("computed_at_ns", sa.BigInteger, primary_key=True),
    sa.Column("ratio", sa.Float, nullable=False),
    sa.Index("ix_forecast_ratio_history_at", "computed_at_ns"),
)
