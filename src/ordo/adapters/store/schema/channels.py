"""Tables of omnichannel intake (migration ``0002_channels`` must match these).

``channel_sku_map``: platform SKU id → Ordo SKU, per channel. ``channel_secrets``:
webhook HMAC secrets set through Ordo (the environment may also hold them).
``channel_dead_letters``: every authentic payload Ordo could not turn into an order,
with the raw body and the reasons, until a replay succeeds. ``channel_pending``:
status updates that arrived before their order, applied when it comes.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

channel_sku_map = sa.Table(
    "channel_sku_map",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("platform_sku", sa.String(64), primary_key=True),
    sa.Column("ordo_sku", sa.String(64), nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

channel_secrets = sa.Table(
    "channel_secrets",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

channel_dead_letters = sa.Table(
    "channel_dead_letters",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("external_id", sa.String(64), nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("reason_code", sa.String(32), nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    #: open → replayed (an order now exists for it); failed replays stay open.
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("order_id", sa.String(24), nullable=True),
    sa.Column("received_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_channel_dead_letters_state", channel_dead_letters.c.state, channel_dead_letters.c.id)

channel_pending = sa.Table(
    "channel_pending",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("external_id", sa.String(64), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("received_at_ns", sa.BigInteger, nullable=False),
)
sa.Index("ix_channel_pending_key", channel_pending.c.channel, channel_pending.c.external_id)
