"""People on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.people_contract import PeopleContract


class TestPeopleOnSQLite(PeopleContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestPeopleOnPostgres(PeopleContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
