"""Alembic environment: Ordo always passes its own connection in ``config.attributes``.

The revisions in ``versions/`` form one line, and the files are numbered in its order.
The feature revisions between 0001 and the first linear one keep their old ids
``0002_*`` whatever their file's number: they once all branched from 0001, and
databases are stamped with those ids (``ordo.adapters.store.engine`` brings such
databases onto the line). A new revision revises the current head, and its file and
id share one name, ``NNNN_what``; ``tests/integration/store/test_migrations.py``
fails on a second head.
"""

from __future__ import annotations

from alembic import context

from ordo.adapters.store.schema.core import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Ordo never runs alembic without a connection
    raise RuntimeError("run migrations through `ordo db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
