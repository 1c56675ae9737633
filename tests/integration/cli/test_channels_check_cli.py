"""``ordo channels check`` (a mapping file before it is installed) and ``ordo channels list``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from ordo.adapters.channels.declarative import SPECS_DIR
from ordo.cli.channels import channels_app

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(channels_app, name="channels")
    return app


def test_check_reads_each_payload_with_the_mapping_file() -> None:
    spec = str(SPECS_DIR / "xiaohongshu.toml")
    good = str(FIXTURES / "xiaohongshu" / "detail.json")
    result = runner.invoke(cli(), ["channels", "check", spec, good])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["channel"] == "xiaohongshu" and "xhs" in out["aliases"]
    [one] = out["payloads"]
    assert one["mappable"] and one["external_id"] == "P712345678901234567" and one["paid_total_fen"] == 28500
    bad = str(FIXTURES / "xiaohongshu" / "invalid" / "error_answer.json")
    result = runner.invoke(cli(), ["channels", "check", spec, good, bad])
    assert result.exit_code == 1
    assert [r["code"] for r in json.loads(result.stdout)["payloads"][1]["reasons"]] == ["platform_error"]


def test_check_refuses_a_bad_mapping_file_naming_the_key(tmp_path: Path) -> None:
    text = (SPECS_DIR / "youzan.toml").read_text("utf-8").replace('quantity = "num"', 'qty = "num"')
    spec = tmp_path / "youzan.toml"
    spec.write_text(text, "utf-8")
    result = runner.invoke(cli(), ["channels", "check", str(spec)])
    assert result.exit_code == 2
    assert "[lines.qty] unknown key" in " ".join(result.output.split())


def test_list_shows_every_channel_with_its_aliases() -> None:
    result = runner.invoke(cli(), ["channels", "list"])
    assert result.exit_code == 0
    heads = [line for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert any(h.startswith("wechat_channels") and "视频号" in h for h in heads)
    assert any(h.startswith("taobao") and "淘宝" in h for h in heads)
