"""``ordo rules …`` (wired here the way ordo.cli will wire it)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from ordo.cli.rules import rules_app
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order

runner = CliRunner()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(rules_app, name="rules")
    return app


def _json(output: str) -> dict[str, object]:
    start = output.index("{")
    out: dict[str, object] = json.loads(output[start:])
    return out


def test_an_operator_adds_backtests_publishes_and_rolls_back_from_the_cli(
    cli: typer.Typer, world: Ordo, sqlite_url: str
) -> None:
    intake(world, [new_order(f"C-{i}") for i in range(3)])
    db = ["--db", sqlite_url]
    r = runner.invoke(cli, ["rules", "add", "满1000减10", "-m", "baseline", "--as", "ann", *db])
    assert r.exit_code == 0, r.output
    draft = _json(r.stdout)["draft_id"]
    r = runner.invoke(cli, ["rules", "backtest", str(draft), "--as", "ann", *db])
    assert r.exit_code == 0, r.output
    assert _json(r.stdout)["orders"] == 3
    assert runner.invoke(cli, ["rules", "submit", str(draft), "-m", "l1", "--as", "ann", *db]).exit_code == 0
    r = runner.invoke(cli, ["rules", "publish", str(draft), "-m", "go", "--as", "ann", *db])
    assert r.exit_code == 0, r.output
    assert _json(r.stdout)["active_version"] == 1
    r = runner.invoke(
        cli,
        ["rules", "add", '当 订单金额 > 500 时 转人工审核 原因 "大额"', "-m", "review", "--as", "ann", *db],
    )
    second = _json(r.stdout)["draft_id"]
    runner.invoke(cli, ["rules", "backtest", str(second), "--as", "ann", *db])
    r = runner.invoke(cli, ["rules", "approve", str(second), "-m", "mine", "--as", "ann", *db])
    assert r.exit_code == 1 and "self_approval" in r.output
    r = runner.invoke(cli, ["rules", "approve", str(second), "-m", "ok", "--as", "bob", "--role", "ops", *db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli, ["rules", "publish", str(second), "-m", "west", "--region", "新疆", "--as", "bob", *db]
    )
    assert _json(r.stdout)["canary_version"] == 2
    # An L2 canary: without --emergency the rollback would wait for a second person.
    r = runner.invoke(cli, ["rules", "rollback", "1", "-m", "too early", "--emergency", "--as", "bob", *db])
    assert r.exit_code == 0 and _json(r.stdout)["to_version"] == 1
    r = runner.invoke(cli, ["rules", "history", "--audit", *db])
    out = _json(r.stdout)
    assert out["state"]["canary_version"] is None  # type: ignore[index]
    assert out["audit"][0]["action"] == "rollback"  # type: ignore[index]


def test_lint_reports_unreadable_rules_with_a_pointer_and_exit_code_2(cli: typer.Typer) -> None:
    r = runner.invoke(cli, ["rules", "lint", "当 订单金颜 > 100 时 标记 加急"])
    assert r.exit_code == 2 and "订单金额" in r.output


def test_lint_warns_about_a_rule_that_can_never_fire(cli: typer.Typer) -> None:
    r = runner.invoke(cli, ["rules", "lint", "当 订单金额 > 100 且 订单金额 < 50 时 标记 加急"])
    assert r.exit_code == 1 and "never_true" in r.stdout


def test_test_shows_which_rules_fire_and_the_outcome(cli: typer.Typer) -> None:
    facts = json.dumps({"order_id": "X", "goods_amount_fen": 40_000, "freight_fen": 800, "province": "新疆"})
    r = runner.invoke(cli, ["rules", "test", "满299减50\n新疆 走 邮政\n包邮", "--facts", facts])
    assert r.exit_code == 0, r.output
    out = _json(r.stdout)
    assert out["outcome"]["discount_fen"] == 5_000 and out["outcome"]["carrier"] == "ems"  # type: ignore[index]
    assert out["outcome"]["freight_off_fen"] == 800  # type: ignore[index]


def test_explain_prints_the_evaluation_order_in_english(cli: typer.Typer) -> None:
    r = runner.invoke(cli, ["rules", "explain", "满299减50\n新疆 走 邮政", "--lang", "en"])
    assert r.exit_code == 0 and "hit policy" in r.stdout
