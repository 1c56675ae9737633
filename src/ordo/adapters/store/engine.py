"""Opening a store: pick the backend by URL, run migrations, hand out units of work.

Migrations are one linear Alembic chain (``migrations/versions``, files numbered in
chain order). Databases made while the feature revisions still branched from 0001
are brought onto that chain here, before Alembic runs. This module never edits the
schema itself except through those migrations.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory

from ordo.adapters.store import postgres, sqlite
from ordo.adapters.store.errors import translate
from ordo.adapters.store.schema import analytics as analytics_schema
from ordo.adapters.store.uow import UnitOfWork
from ordo.domain.errors import StoreError
from ordo.service.ports.insight import Analytics
from ordo.service.ports.leases import Leases

MIGRATIONS = Path(__file__).parent / "migrations"
#: The analytics tables are written only by ``analytics.facts`` (loaded on first use, with
#: sqlglot); their definitions join the shared metadata with the store, as every table's do.
ANALYTICS_TABLES = (analytics_schema.analytics_facts, analytics_schema.analytics_daily)
#: PostgreSQL advisory lock key held while migrating ("ordo" in ASCII).
MIGRATION_LOCK = 0x6F72646F
BASE_REVISION = "0001"
#: The revisions that once all branched from 0001 (alembic_version then held one row per
#: applied branch). The linear chain keeps their ids, since databases are stamped with
#: them, and runs them in the order they were released. Frozen: each creates its own
#: tables, indexes or triggers and touches only 0001's, so any subset is a sound schema.
LEGACY_BRANCHES = frozenset(
    {
        "0002_channels",
        "0002_identity",
        "0002_rules",
        "0002_outbound",
        "0002_exceptions",
        "0002_routing_decisions",
        "0002_inventory",
        "0002_overview",
        "0002_catalog_revision",
        "0002_cold_chain",
        "0002_holds",
    }
)
_VERSIONS = sa.table("alembic_version", sa.column("version_num", sa.String(32)))


def migration_scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def chain(scripts: ScriptDirectory) -> list[Script]:
    """The revisions from the first to the head (a test keeps the chain linear)."""
    return list(reversed(list(scripts.walk_revisions())))


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

    def leases(self, node: str | None = None) -> Leases:
        """This node's leases on this database (:mod:`ordo.adapters.store.leases`)."""
        from ordo.adapters.store.leases import open_leases

        return open_leases(self.engine, node)

    def analytics(self) -> Analytics:
        """Metric queries, gated and read-only (:mod:`ordo.adapters.store.analytics`)."""
        from ordo.adapters.store.analytics.run import Analytics as StoreAnalytics

        return StoreAnalytics(self.engine)

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
                # Same transaction as the upgrade: if either fails, the old rows stay and the
                # next start simply does both again.
                _linearise(conn, migration_scripts())
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc

    def revision(self) -> str | None:
        """The revision the schema is at; None before the first migration.

        A database still in the old branched layout (opened without migrating) answers
        with the latest of its revisions along today's chain.
        """
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            rows: list[str] = list(conn.execute(sa.select(_VERSIONS.c.version_num)).scalars())
        if len(rows) <= 1:
            return rows[0] if rows else None
        position = {script.revision: i for i, script in enumerate(chain(migration_scripts()))}
        return max(rows, key=lambda rev: position.get(rev, -1))

    def dispose(self) -> None:
        self.engine.dispose()


def _linearise(conn: sa.Connection, scripts: ScriptDirectory) -> None:
    """Turn the branched layout's rows in alembic_version into the linear chain's one row.

    Read against a linear chain, a row means "this revision and every one before it".
    Alembic therefore refuses several rows on one line ("overlaps"), so a database made
    by the old code would never open. Each old row only says that its own branch was
    applied; the rows are replaced by the latest of them along the chain, once every
    older revision missing between them has been applied.

    Ordo always applied every head it shipped, and the chain runs the branches in the
    order they were released, so a database of any older release holds a prefix of the
    chain and nothing is missing. A gap (branches upgraded one by one by hand) is filled
    by running the missing revisions' own upgrades, which is sound because the branches
    are independent of one another (see ``LEGACY_BRANCHES``). A lone row cannot be told
    from the linear chain's own and is read as the chain reads it; Ordo never left one,
    since its first release with branches shipped two of them.
    """
    if not sa.inspect(conn).has_table("alembic_version"):
        return
    rows = set(conn.execute(sa.select(_VERSIONS.c.version_num)).scalars())
    if len(rows) <= 1:
        return
    strangers = rows - LEGACY_BRANCHES - {BASE_REVISION}
    if strangers:
        raise StoreError(
            f"alembic_version holds several revisions, some not from Ordo's old branched layout"
            f" ({', '.join(sorted(strangers))}): repair it by hand before upgrading /"
            f" alembic_version 中有多个修订, 其中有的不属于 Ordo 旧的分支布局"
            f" ({', '.join(sorted(strangers))}): 请先手工修复再升级",
            details={"revisions": sorted(rows)},
        )
    order = chain(scripts)
    position = {script.revision: i for i, script in enumerate(order)}
    latest = max(rows, key=position.__getitem__)
    missing = [s for s in order[: position[latest]] if s.revision not in rows | {BASE_REVISION}]
    if missing:
        with Operations.context(MigrationContext.configure(connection=conn)):
            for script in missing:
                script.module.upgrade()
    conn.execute(sa.delete(_VERSIONS))
    conn.execute(sa.insert(_VERSIONS).values(version_num=latest))


def open_store(url: str, *, migrate: bool = True) -> Store:
    store = Store(url)
    if migrate:
        store.migrate()
    return store
