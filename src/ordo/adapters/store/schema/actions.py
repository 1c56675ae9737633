"""What the rules' actions leave behind (migration ``0018_rule_actions``), on the shared
``metadata``.

* ``permission_freezes`` – a permission taken from a role by a rule's 冻结 (freeze) action:
  which rule, since when, the last time its signal fired again, how long a quiet signal
  takes to clear it, and who lifted it (an operator) or when it cleared;
* ``notify_channels`` – where 通知 (notify) goes, as data: a WeCom / DingTalk / Feishu group
  bot's webhook or SMTP recipients, with the rule roles each serves (the signing secret and
  SMTP password are stored, never logged or shown);
* ``notify_deliveries`` – each message to each channel: pending → sent / failed /
  summarised (folded into one summary message of a burst), with attempts and the next try.

``rule_outcomes.over_budget`` marks an order whose discount was withheld because it would
have crossed its version's discount budget (the breaker's evidence).
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

permission_freezes = sa.Table(
    "permission_freezes",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("permission", sa.String(32), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("since_ns", sa.BigInteger, nullable=False),
    sa.Column("last_signal_ns", sa.BigInteger, nullable=False),
    sa.Column("clears_after_s", sa.Integer, nullable=False),
    sa.Column("lifted_at_ns", sa.BigInteger, nullable=True),
    sa.Column("lifted_by", sa.String(64), nullable=True),
)
sa.Index("ix_permission_freezes_open", permission_freezes.c.lifted_at_ns, permission_freezes.c.role)

notify_channels = sa.Table(
    "notify_channels",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.String(1000), nullable=False),
    sa.Column("secret", sa.String(500), nullable=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

notify_deliveries = sa.Table(
    "notify_deliveries",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("role", sa.String(64), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("order_id", sa.String(24), nullable=True),
    sa.Column("text", sa.String(4000), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_ns", sa.BigInteger, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("sent_at_ns", sa.BigInteger, nullable=True),
    sa.Column("summary_id", sa.BigInteger, nullable=True),
    sa.Column("error", sa.String(500), nullable=False),
)
sa.Index("ix_notify_deliveries_due", notify_deliveries.c.status, notify_deliveries.c.next_attempt_ns)
sa.Index("ix_notify_deliveries_sent", notify_deliveries.c.channel, notify_deliveries.c.sent_at_ns)

#: Each chat bot answer (``ordo.service.insight.chat``): sent at once, or pending until the
#: platform's rate limit has room, then sent alone or folded into one summary (``summarised``).
bot_replies = sa.Table(
    "bot_replies",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("bot", sa.String(64), nullable=False),
    sa.Column("chat", sa.String(128), nullable=False),
    sa.Column("question", sa.String(500), nullable=False),
    sa.Column("reply_to", sa.JSON, nullable=False),
    sa.Column("text", sa.String(4000), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_ns", sa.BigInteger, nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("sent_at_ns", sa.BigInteger, nullable=True),
    sa.Column("summary_id", sa.BigInteger, nullable=True),
    sa.Column("error", sa.String(500), nullable=False),
)
sa.Index("ix_bot_replies_due", bot_replies.c.status, bot_replies.c.next_attempt_ns)
sa.Index("ix_bot_replies_sent", bot_replies.c.platform, bot_replies.c.bot, bot_replies.c.sent_at_ns)
sa.Index("ix_bot_replies_chat", bot_replies.c.platform, bot_replies.c.chat, bot_replies.c.sent_at_ns)
