"""Rule actions' storage on SQLite and on PostgreSQL (skipped when unreachable)."""

from __future__ import annotations

import pytest

from tests.integration.store.rule_actions_contract import RuleActionsContract


class TestRuleActionsOnSQLite(RuleActionsContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url


@pytest.mark.postgres
class TestRuleActionsOnPostgres(RuleActionsContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url
