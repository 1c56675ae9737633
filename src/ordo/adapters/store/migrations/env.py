"""Alembic environment: Ordo always passes its own connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from ordo.adapters.store.schema.core import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Ordo never runs alembic without a connection
    raise RuntimeError("run migrations through `ordo db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
