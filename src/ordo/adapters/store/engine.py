"""Opening a store: pick the backend by URL, run migrations, hand out units of work."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from alembic import command
from alembic.config import Config

from ordo.adapters.store import postgres, sqlite
from ordo.adapters.store.errors import translate
from ordo.adapters.store.uow import UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
#: PostgreSQL advisory lock key held while migrating ("ordo" in ASCII).
MIGRATION_LOCK = 0x6F72646F


class Store:
    """One database: its engine, its dialect, and a factory for units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine = sqlite.create_engine(url)
        elif url.startswith(("postgres", "postgresql")):
            self.engine = postgres.create_engine(url)
        else:
            raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
        self.dialect = self.engine.dialect.name

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Processes starting together would each create the schema and all but one
                    # fail; this lock (released at commit) queues them. SQLite's BEGIN IMMEDIATE
                    # already does.
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            insp = sa.inspect(conn)
            if not insp.has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    store = Store(url)
    if migrate:
        store.migrate()
    return store
