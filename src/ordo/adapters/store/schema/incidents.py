"""Tables of incidents and order health (migration ``0002_exceptions``), on the shared ``metadata``.

* ``order_exceptions``  – one problem with one order: detector, state, playbook progress,
  human-queue fields (priority, assignee, due), resolution. ``open_key`` is set while the
  incident is open and NULL once closed, so a unique index keeps one open incident per
  (order, detector, key) on both backends (NULLs never collide);
* ``exception_watch``   – the scan's projection of the outbox: per order, the milestones
  seen, the hold, the SLA timers already fired and ``due_ns``, when a timer next expires
  (indexed: the scan asks only for rows whose time has come);
* ``telemetry_state``   – per order and sensor, since when the readings are outside;
* ``compensation_coupons`` – coupons issued by playbooks;
* ``exception_scan``    – one row: how far the scan has read the outbox (locked per scan).
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

order_exceptions = sa.Table(
    "order_exceptions",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(24), nullable=False),
    sa.Column("detector", sa.String(24), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("open_key", sa.String(120), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("playbook", sa.String(40), nullable=False),
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("queued", sa.Boolean, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("assignee", sa.String(64), nullable=True),
    sa.Column("due_ns", sa.BigInteger, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_ns", sa.BigInteger, nullable=True),
    sa.Column("opened_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
    sa.Column("closed_at_ns", sa.BigInteger, nullable=True),
    sa.Column("closed_by", sa.String(64), nullable=True),
    sa.Column("resolution", sa.String(500), nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
)
sa.Index("ux_order_exceptions_open_key", order_exceptions.c.open_key, unique=True)
sa.Index("ix_order_exceptions_order", order_exceptions.c.order_id, order_exceptions.c.id)
sa.Index("ix_order_exceptions_state", order_exceptions.c.state, order_exceptions.c.detector)
sa.Index("ix_order_exceptions_next", order_exceptions.c.next_attempt_ns)
sa.Index("ix_order_exceptions_closed", order_exceptions.c.closed_at_ns)

exception_watch = sa.Table(
    "exception_watch",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("warehouse_id", sa.String(32), nullable=True),
    sa.Column("hold_reason", sa.String(64), nullable=True),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("fired", sa.String(400), nullable=False),
    sa.Column("last_milestone", sa.String(24), nullable=False),
    sa.Column("last_at_ns", sa.BigInteger, nullable=False),
    sa.Column("carrier", sa.String(32), nullable=True),
    sa.Column("due_ns", sa.BigInteger, nullable=True),
    sa.Column("done", sa.Boolean, nullable=False),
)
sa.Index("ix_exception_watch_due", exception_watch.c.due_ns)

telemetry_state = sa.Table(
    "telemetry_state",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("outside_since_ns", sa.BigInteger, nullable=True),
    sa.Column("last_at_ns", sa.BigInteger, nullable=False),
    sa.Column("last_celsius", sa.Float, nullable=True),
    sa.Column("readings", sa.Integer, nullable=False),
    sa.Column("alerted", sa.Boolean, nullable=False),
    sa.Column("peak_c", sa.Float, nullable=True),
)

compensation_coupons = sa.Table(
    "compensation_coupons",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("order_id", sa.String(24), nullable=False),
    sa.Column("exception_id", sa.BigInteger, nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("issued_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_compensation_coupons_order", compensation_coupons.c.order_id)

exception_scan = sa.Table(
    "exception_scan",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cursor", sa.BigInteger, nullable=False),
    sa.Column("last_scan_ns", sa.BigInteger, nullable=False),
)
