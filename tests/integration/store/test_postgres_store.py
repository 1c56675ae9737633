"""The storage contract on PostgreSQL; skipped, with the reason shown, when the server is unreachable.

Creating and dropping a database costs about half a second on PostgreSQL, so the class
shares one migrated database and empties every table before each test; the migration
test alone gets a database of its own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from ordo.adapters.store import Store, open_store
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import rules as rules_tables
from tests.integration.store.contract import StoreContract

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="class")
def migrated_pg_url(pg_server: Callable[[], str]) -> str:
    url = pg_server()
    open_store(url).dispose()
    return url


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def url(self, migrated_pg_url: str) -> str:
        engine = sa.create_engine(migrated_pg_url)
        try:
            with engine.begin() as conn:
                names = ", ".join(f'"{name}"' for name in t.metadata.tables)
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                # Rows the migrations seed, which the store relies on being there.
                conn.execute(sa.insert(rules_tables.rule_state).values(id=1, revision=0, updated_at_ns=0))
        finally:
            engine.dispose()
        return migrated_pg_url

    @pytest.fixture
    def empty_url(self, pg_url: str) -> str:
        return pg_url

    @pytest.fixture
    def unreachable_url(self) -> str:
        # Port 1 on loopback: nothing listens there, so the connection is refused at once.
        return "postgresql+psycopg://postgres@127.0.0.1:1/ordo"

    def test_postgres_urls_without_a_driver_use_psycopg(self, url):
        store = Store(url.replace("postgresql+psycopg://", "postgres://"))
        try:
            assert store.engine.dialect.driver == "psycopg"
        finally:
            store.dispose()
