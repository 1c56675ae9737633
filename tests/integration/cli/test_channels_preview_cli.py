"""``ordo channels map``: the preview, its readable view, SKU suggestions and exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ordo.cli.channels import channels_app
from ordo.service.runtime.app import Ordo

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
runner = CliRunner()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(channels_app, name="channels")
    return app


def test_an_unmapped_sku_exits_1_and_the_readable_view_flags_it_under_its_line(
    cli: typer.Typer, world: Ordo, sqlite_url: str
) -> None:
    args = ["channels", "map", "taobao", str(FIXTURES / "taobao/create.json"), "--db", sqlite_url]
    result = runner.invoke(cli, [*args, "--suggest-skus", "--text"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "NOT taken in / 无法接收" in lines[0]
    at = next(i for i, row in enumerate(lines) if row.lstrip().startswith("lines[1]"))
    assert "(unmapped / 未映射)" in lines[at] and "陶瓷杯" in lines[at]
    assert "✗ lines[1].sku: no Ordo SKU is mapped" in lines[at + 1]
    assert lines[at + 2].strip().startswith("→ SKU-CUP")
    assert any("total 28300 fen" in row for row in lines)


def test_a_documentation_answer_exits_0_with_its_warnings_in_json(
    cli: typer.Typer, world: Ordo, sqlite_url: str
) -> None:
    result = runner.invoke(
        cli, ["channels", "map", "jd", str(FIXTURES / "jd/search_element.json"), "--db", sqlite_url]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["accepted"] is True and out["order"]["external_id"] == "301234567891"
    assert [p["code"] for p in out["problems"]] == ["masked_receiver"]


def test_a_platform_error_answer_exits_1_and_an_unknown_channel_exits_2(
    cli: typer.Typer, world: Ordo, sqlite_url: str
) -> None:
    bad = runner.invoke(
        cli,
        [
            "channels",
            "map",
            "kuaishou",
            str(FIXTURES / "kuaishou/invalid/error_answer.json"),
            "--db",
            sqlite_url,
        ],
    )
    assert bad.exit_code == 1 and json.loads(bad.stdout)["problems"][0]["code"] == "platform_error"
    unknown = runner.invoke(
        cli, ["channels", "map", "nope", str(FIXTURES / "jd/create.json"), "--db", sqlite_url]
    )
    assert unknown.exit_code == 2
