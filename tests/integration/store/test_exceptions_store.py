"""Exceptions on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.exceptions_contract import ExceptionsContract


class TestExceptionsOnSQLite(ExceptionsContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestExceptionsOnPostgres(ExceptionsContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
