"""``ordo bench oversell`` as an operator runs it: one JSON report, exit 0 only when nothing oversold."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ordo.bench import oversell
from ordo.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_the_oversell_bench_prints_its_books_and_exits_zero_on_sqlite():
    result = runner.invoke(
        app, ["bench", "oversell", "--procs", "2", "--orders", "30"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["params"] == {"procs": 2, "orders_per_proc": 30, "batch": oversell.BATCH, "db": "sqlite"}
    assert report["oversold_units"] == 0 and report["books_balance"] is True
    assert report["units_reserved"] == report["units_held_by_processes"] > 0


def test_the_oversell_bench_fails_loudly_when_the_books_do_not_balance(monkeypatch):
    def bad_books(**_kw):
        return {"oversold_units": 3, "books_balance": False}

    monkeypatch.setattr(oversell, "run", bad_books)
    result = runner.invoke(app, ["bench", "oversell", "--procs", "2"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["oversold_units"] == 3
