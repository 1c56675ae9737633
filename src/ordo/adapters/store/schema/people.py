"""Tables of people and their sessions (migration ``0013_people``), on the shared ``metadata``.

* ``users``          – a person who signs in: login, display name, role, optional channel
  scope, an argon2 password hash (never the password), disabled or not;
* ``sessions``       – a signed-in browser: only the SHA-256 of the cookie's token is kept,
  with the CSRF token its writes must echo, and when it expires or was ended;
* ``login_failures`` – failed sign-ins per login in the current window (rate limit).

API keys (``core.api_keys``) point at a user (``user_id``) or carry their own scope.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordo.adapters.store.schema.core import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("login", sa.String(32), nullable=False, unique=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("scope", sa.JSON, nullable=True),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(16), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at_ns", sa.BigInteger, nullable=False),
    sa.Column("expires_at_ns", sa.BigInteger, nullable=False),
    sa.Column("ended_at_ns", sa.BigInteger, nullable=True),
)
sa.Index("ix_sessions_user", sessions.c.user_id)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("login", sa.String(32), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start_ns", sa.BigInteger, nullable=False),
)
