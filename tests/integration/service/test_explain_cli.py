"""``ordo explain ORDER [--lang] [--why-not WAREHOUSE]``, through the real CLI app."""

from __future__ import annotations

from typer.testing import CliRunner

from ordo.cli import app as cli
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order

runner = CliRunner()


def test_explain_says_why_this_warehouse_and_why_not_another_in_both_languages(world: Ordo, sqlite_url: str):
    [r] = intake(world, [new_order("CLI-1")])
    db = ["--db", sqlite_url]
    zh = runner.invoke(cli, ["explain", r.order_id, "--why-not", "WH-GZ", *db])
    assert zh.exit_code == 0, zh.output
    assert (
        "第 1 次路由" in zh.stdout and "选择 上海嘉定仓（WH-SH）" in zh.stdout and "未选 WH-GZ" in zh.stdout
    )
    en = runner.invoke(cli, ["explain", r.order_id, "--lang", "en", *db])
    assert en.exit_code == 0 and "chose WH-SH" in en.stdout and "candidates: 3" in en.stdout


def test_explain_refuses_an_unknown_order_and_an_unknown_language(world: Ordo, sqlite_url: str):
    missing = runner.invoke(cli, ["explain", "OR-NOPE", "--db", sqlite_url])
    assert missing.exit_code == 1
    [r] = intake(world, [new_order("CLI-2")])
    bad = runner.invoke(cli, ["explain", r.order_id, "--lang", "fr", "--db", sqlite_url])
    assert bad.exit_code == 2
