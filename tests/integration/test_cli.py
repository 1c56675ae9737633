"""The ``ordo`` command line against a fresh SQLite file: what an operator types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordo.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_db_upgrade_reports_the_revision(db):
    result = runner.invoke(app, ["db", "upgrade", "--db", db])
    assert result.exit_code == 0
    assert "revision" in result.output


def test_simulate_runs_a_day_and_prints_a_summary_that_adds_up(db):
    summary = json.loads(invoke("simulate", "--orders", "150", "--seed", "3", "--db", db))
    assert summary["orders_created"] > 100
    assert sum(summary["status_counts"].values()) == summary["orders_created"]
    listed = invoke("orders", "list", "--limit", "5", "--db", db).splitlines()
    assert len(listed) == 5 and all(line.startswith("OR") for line in listed)
    shown = json.loads(invoke("orders", "show", listed[0].split()[0], "--db", db))
    assert shown["milestones"], "a simulated order has recorded milestones"


def test_keys_are_created_listed_and_revoked(db):
    key = invoke("keys", "create", "--role", "ops", "--name", "night shift", "--db", db).strip()
    assert key.startswith("ordo_")
    [listed] = json.loads(invoke("keys", "list", "--db", db))
    assert listed["role"] == "ops" and key not in json.dumps(listed)
    invoke("keys", "revoke", listed["id"], "--db", db)
    again = runner.invoke(app, ["keys", "revoke", listed["id"], "--db", db])
    assert again.exit_code == 1


def test_an_unknown_role_is_refused_with_the_allowed_ones(db):
    result = runner.invoke(app, ["keys", "create", "--role", "boss", "--db", db])
    assert result.exit_code != 0
    assert "viewer" in result.output


def test_showing_an_unknown_order_fails_clearly(db):
    result = runner.invoke(app, ["orders", "show", "OR-NOPE", "--db", db])
    assert result.exit_code == 1
    assert "订单不存在" in result.output


def test_listing_orders_that_match_nothing_says_so(db):
    result = runner.invoke(app, ["orders", "list", "--status", "cancelled", "--db", db])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no orders match / 没有符合条件的订单" in result.stderr
