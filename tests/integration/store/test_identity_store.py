"""Customer identity and parcel merges on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.identity_contract import IdentityContract


class TestIdentityOnSQLite(IdentityContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestIdentityOnPostgres(IdentityContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
