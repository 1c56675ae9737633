"""Incidents on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.incidents_contract import IncidentsContract


class TestIncidentsOnSQLite(IncidentsContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestIncidentsOnPostgres(IncidentsContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
