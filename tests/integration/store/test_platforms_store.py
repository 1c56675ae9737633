"""Platform shops and write-back rows on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.platforms_contract import PlatformsContract


class TestPlatformsOnSQLite(PlatformsContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestPlatformsOnPostgres(PlatformsContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
