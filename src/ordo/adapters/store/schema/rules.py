"""Tables of rule governance (migration ``0002_rules``), on the shared ``metadata``.

* ``rule_drafts``   – a proposed whole rule set (one sentence a line) on its way through
  draft → backtested → approved → published; mutable until published;
* ``rule_versions`` – what a publish froze: insert-only, never updated;
* ``rule_state``    – one row: the active version, the canary version and its scope, the
  version the breaker watches and what it falls back to; ``revision`` bumps on every
  change so caches in other processes can tell they are stale;
* ``rule_audit``    – every change: who, role, when, what, why, backtest summary, approver;
* ``rule_outcomes`` – what the live rules did to each order (one row per order), the
  breaker's evidence;
* ``rule_rollbacks`` – rollbacks waiting for (or given) a second person's approval.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import BigSerial, metadata

Actor = sa.String(64)

rule_drafts = sa.Table(
    "rule_drafts",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("required_tier", sa.Integer, nullable=False),
    sa.Column("escalation", sa.String(500), nullable=True),
    sa.Column("author", Actor, nullable=False),
    sa.Column("author_role", sa.String(16), nullable=False),
    # Every person who wrote the draft (its creator and editors): none of them approves it.
    sa.Column("authors", sa.JSON, nullable=True),
    sa.Column("note", sa.String(1000), nullable=False),
    sa.Column("breaker", sa.JSON, nullable=False),
    sa.Column("backtest", sa.JSON, nullable=True),
    sa.Column("submitted_at_ns", sa.BigInteger, nullable=True),
    sa.Column("approver", Actor, nullable=True),
    sa.Column("approver_role", sa.String(16), nullable=True),
    sa.Column("approved_at_ns", sa.BigInteger, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

rule_versions = sa.Table(
    "rule_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("draft_id", sa.BigInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("author", Actor, nullable=False),
    sa.Column("approver", Actor, nullable=True),
    sa.Column("note", sa.String(1000), nullable=False),
    sa.Column("breaker", sa.JSON, nullable=False),
    sa.Column("backtest", sa.JSON, nullable=True),
    sa.Column("published_by", Actor, nullable=False),
    sa.Column("published_at_ns", sa.BigInteger, nullable=False),
)

rule_state = sa.Table(
    "rule_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("revision", sa.BigInteger, nullable=False),
    sa.Column("active_version", sa.Integer, nullable=True),
    sa.Column("canary_version", sa.Integer, nullable=True),
    sa.Column("canary", sa.JSON, nullable=True),
    sa.Column("watch_version", sa.Integer, nullable=True),
    sa.Column("watch_since_ns", sa.BigInteger, nullable=True),
    sa.Column("fallback_version", sa.Integer, nullable=True),
    sa.Column("updated_at_ns", sa.BigInteger, nullable=False),
)

rule_audit = sa.Table(
    "rule_audit",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("actor", Actor, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(24), nullable=False),
    sa.Column("draft_id", sa.BigInteger, nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("note", sa.String(1000), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
)
sa.Index("ix_rule_audit_draft", rule_audit.c.draft_id, rule_audit.c.id)

rule_outcomes = sa.Table(
    "rule_outcomes",
    metadata,
    sa.Column("order_id", sa.String(24), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("canary", sa.Boolean, nullable=False),
    sa.Column("at_ns", sa.BigInteger, nullable=False),
    sa.Column("held", sa.Boolean, nullable=False),
    sa.Column("discount_fen", sa.BigInteger, nullable=False),
    sa.Column("exception", sa.Boolean, nullable=False),
    sa.Column("fired", sa.String(1000), nullable=False),
    #: The discount was withheld: it would have crossed the version's budget (migration 0018).
    sa.Column("over_budget", sa.Boolean, server_default=sa.false(), nullable=False),
)
sa.Index("ix_rule_outcomes_version", rule_outcomes.c.version, rule_outcomes.c.at_ns)

#: A rollback that waits for a second person with the tier's approval right (migration 0013).
rule_rollbacks = sa.Table(
    "rule_rollbacks",
    metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("tier", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("requested_by", Actor, nullable=False),
    sa.Column("requested_person", Actor, nullable=False),
    sa.Column("requested_role", sa.String(16), nullable=False),
    sa.Column("note", sa.String(1000), nullable=False),
    sa.Column("requested_at_ns", sa.BigInteger, nullable=False),
    sa.Column("approver", Actor, nullable=True),
    sa.Column("approver_role", sa.String(16), nullable=True),
    sa.Column("approved_at_ns", sa.BigInteger, nullable=True),
)
