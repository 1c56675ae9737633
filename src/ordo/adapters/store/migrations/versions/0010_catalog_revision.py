"""catalog revision: a token in ``meta`` that changes whenever warehouses, carriers or SKUs do

The routing cache compares this one value per batch instead of re-reading the catalog.
Triggers keep it, so every writer (the service, an import, a hand-run UPDATE) moves it.
The token is random, not a counter: after a TRUNCATE of everything and a reload a counter
could come back to a value a cache already holds.

Revision ID: 0002_catalog_revision
Revises: 0002_overview
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002_catalog_revision"
down_revision = "0002_overview"
branch_labels = None
depends_on = None

KEY = "catalog.revision"
TABLES = ("warehouses", "carriers", "skus")
_OPS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_name(table: str, what: str) -> str:
    return f"trg_catalog_revision_{table}_{what.lower()}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION ordo_catalog_touched() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO meta (key, value)
                VALUES ('{KEY}', md5(random()::text || clock_timestamp()::text))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
                RETURN NULL;
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER trg_catalog_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ordo_catalog_touched()"
            )
        return
    for table in TABLES:
        for what in _OPS:
            op.execute(
                f"CREATE TRIGGER {_sqlite_name(table, what)} AFTER {what} ON {table} BEGIN"
                f" INSERT INTO meta (key, value) VALUES ('{KEY}', lower(hex(randomblob(8))))"
                f" ON CONFLICT (key) DO UPDATE SET value = excluded.value; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_catalog_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ordo_catalog_touched()")
    else:
        for table in TABLES:
            for what in _OPS:
                op.execute(f"DROP TRIGGER IF EXISTS {_sqlite_name(table, what)}")
    op.execute(f"DELETE FROM meta WHERE key = '{KEY}'")
