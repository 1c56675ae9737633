"""The storage contract on SQLite (a fresh WAL file per test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.store.contract import StoreContract


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    @pytest.fixture
    def empty_url(self, sqlite_url: str) -> str:
        return sqlite_url

    @pytest.fixture
    def unreachable_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'ordo.db'}"

    def test_the_database_runs_in_wal_mode(self, store):
        with store.uow(read_only=True) as uow:
            assert uow.connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
