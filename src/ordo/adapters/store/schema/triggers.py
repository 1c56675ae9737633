"""Event-stream triggers' tables (migration ``0029_triggers_tasks``), on the shared ``metadata``.

* ``customer_events`` – each customer's events as the trigger runner read them off the outbox
  (an order placed, returned, late; a tagged service message), one row per (outbox event, kind),
  read back newest-first per customer by the ``(customer_ref, at_ns, id)`` index;
* ``tasks`` – what the triggers raised: for a role or a user, due at a time, open until closed;
  ``dedupe_key`` (the rule, the customer, the event that completed the sequence) is unique, so
  one occurrence raises one task however often its events are read.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

customer_events = sa.Table(
    "customer_events",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("customer_ref", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("channel", sa.String(32), nullable=True),
    sa.Column("order_id", sa.String(40), nullable=True),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("source_event_id", sa.BigInteger, nullable=True),
    sa.Index("ix_customer_events_customer_at", "customer_ref", "at_ns", "id"),
    sa.Index("ux_customer_events_source", "source_event_id", "kind", unique=True),
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("dedupe_key", sa.String(160), nullable=False, unique=True),
    sa.Column("rule_version", sa.Integer, nullable=True),
    sa.Column("rule_id", sa.String(32), nullable=False),
    sa.Column("rule_source", sa.Text, nullable=False),
    sa.Column("customer_ref", sa.String(64), nullable=False),
    sa.Column("order_id", sa.String(40), nullable=True),
    sa.Column("role", sa.String(32), nullable=True),
    sa.Column("assignee", sa.String(64), nullable=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("due_at_ns", sa.BigInteger, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("closed_at_ns", sa.BigInteger, nullable=True),
    sa.Column("closed_by", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Index("ix_tasks_status_due", "status", "due_at_ns", "id"),
)
