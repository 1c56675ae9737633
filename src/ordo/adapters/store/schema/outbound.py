"""Tables of events out (migration ``0002_outbound`` must match these).

``consumer_offsets``: the last outbox id each consumer (an outbound subscription, the
MQTT or NATS relay, a replay) has handed on; a replay also has an end id and a time
range. ``webhook_subscriptions``: who gets which event types, and the HMAC secret.
``webhook_dead_letters``: events an endpoint never took, after every retry.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

consumer_offsets = sa.Table(
    "consumer_offsets",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sa.Column("until_id", sa.BigInteger, nullable=True),
    sa.Column("from_ns", sa.BigInteger, nullable=True),
    sa.Column("to_ns", sa.BigInteger, nullable=True),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("event_types", sa.String(1000), nullable=False),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("deleted_at_ns", sa.BigInteger, nullable=True),
)

webhook_dead_letters = sa.Table(
    "webhook_dead_letters",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("subscription_id", sa.String(24), nullable=False),
    sa.Column("event_id", sa.BigInteger, nullable=False),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("order_id", sa.String(24), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(500), nullable=False),
    sa.Column("dead_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_webhook_dead_letters_sub", webhook_dead_letters.c.subscription_id, webhook_dead_letters.c.id)
