"""The risk radar's tables (migration ``0020_risk_radar``), on the shared ``metadata``.

* ``risk_events`` – an outside event: kind, title, severity, confidence, source (and the
  feed's own id of it), its area (JSON) and what the area covered when it was written
  (division codes, warehouses; carriers named), the active window, the impact status;
* ``risk_history`` – every change to an event or a plan, who and when (the audit);
* ``risk_plans`` – disposal plans: the actions per order, tier, approval, what execution did.
* ``risk_plan_decisions`` – per order of a plan, the routing decision its proposal made.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

risk_events = sa.Table(
    "risk_events",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(12), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("source_ref", sa.String(200), nullable=False, server_default=""),
    sa.Column("geometry", sa.Text, nullable=False),
    sa.Column("adcodes", sa.Text, nullable=False, server_default=""),
    sa.Column("warehouses", sa.Text, nullable=False, server_default=""),
    sa.Column("carriers", sa.Text, nullable=False, server_default=""),
    sa.Column("starts_at_ns", sa.BigInteger, nullable=False),
    sa.Column("ends_at_ns", sa.BigInteger, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("confirmed_hours", sa.Integer, nullable=True),
    sa.Column("owners", sa.String(400), nullable=False, server_default=""),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_risk_events_window", risk_events.c.status, risk_events.c.starts_at_ns)
sa.Index("ix_risk_events_source_ref", risk_events.c.source, risk_events.c.source_ref)

risk_history = sa.Table(
    "risk_history",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("subject", sa.String(32), nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)
sa.Index("ix_risk_history_subject", risk_history.c.subject, risk_history.c.id)

risk_plans = sa.Table(
    "risk_plans",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("orders", sa.Integer, nullable=False),
    sa.Column("money_fen", sa.BigInteger, nullable=False),
    sa.Column("cost_delta_fen", sa.BigInteger, nullable=False),
    sa.Column("actions", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=False, server_default="{}"),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=False, server_default=""),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_risk_plans_event", risk_plans.c.event_id, risk_plans.c.created_at_ns)

#: Per order of a plan, what its proposal routed: the decision's ``data`` as
#: ``routing_decisions`` keeps it, and its effect (JSON: the row's other columns, the stock
#: taken, the hold, the attempt, the parcels) — what execution writes.
risk_plan_decisions = sa.Table(
    "risk_plan_decisions",
    metadata,
    sa.Column("plan_id", sa.String(32), primary_key=True),
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("effect", sa.Text, nullable=False),
)
