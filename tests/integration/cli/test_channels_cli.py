"""``ordo channels …`` and ``ordo import`` (wired here the way ordo.cli wires them)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ordo.adapters.channels.b2b import COLUMNS
from ordo.adapters.store.repositories.orders import OrderFilter
from ordo.cli.channels import channels_app, import_file
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import count_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
HEADER = ",".join(COLUMNS)
ROWS = [
    "PO-1,ACME,2026-11-10,浙江省杭州市西湖区文三路100号,张经理,13800001111,buyer@acme.cn,SKU-TEA,10,128.00,20.00,月底前到货,confirmed",
    "PO-2,ACME,2026-11-10,上海市浦东新区世纪大道1号,李经理,13800002222,,SKU-NOPE,1,10.00,,,",
    "PO-1,ACME,2026-11-10,,,,,SKU-CUP,5,39.00,,,",
    "PO-3,BETA,2026-11-10,北京市朝阳区建国路88号,王经理,13800003333,,SKU-TEA,many,128.00,,,",
    "PO-4,BETA,2026-11-10,火星市奥林匹斯山1号,赵经理,13800004444,,SKU-TEA,1,128.00,,,",
    "PO-5,BETA,2026-11-10,江苏省南京市鼓楼区中山路1号,钱经理,13800005555,,SKU-TEA,2,128.00,,,cancelled",
]  # fmt: skip

runner = CliRunner()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(channels_app, name="channels")
    app.command("import")(import_file)
    return app


def test_import_csv_puts_good_rows_in_and_bad_rows_in_a_reject_file(
    cli: typer.Typer, world: Ordo, sqlite_url: str, tmp_path: Path
) -> None:
    src = tmp_path / "pos.csv"
    src.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", str(src), "--channel", "b2b", "--db", sqlite_url])
    assert result.exit_code == 1, result.output  # 1: some rows were rejected
    summary = json.loads(result.stdout)
    assert summary["created"] == 3 and summary["held"] == 1
    assert summary["rejected_orders"] == 2 and summary["rejected_rows"] == 2
    assert count_rows(world, "orders") == 3
    with (tmp_path / "pos.csv.rejects.csv").open(encoding="utf-8-sig") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["row"], r["po_number"]) for r in rejects] == [("3", "PO-2"), ("5", "PO-3")]
    assert "SKU-NOPE" in rejects[0]["reason"] and "quantity" in rejects[1]["reason"]
    with world.store.uow(read_only=True) as uow:
        po1 = uow.orders.search(OrderFilter())
    by_ext = {o["external_id"]: o for o in po1}
    assert by_ext["PO-1"]["total_fen"] == 10 * 12800 + 5 * 3900 + 2000
    assert by_ext["PO-4"]["hold_reason"] == "address_unresolved"
    assert by_ext["PO-5"]["status"] == "cancelled"

    again = runner.invoke(cli, ["import", str(src), "--db", sqlite_url])
    assert json.loads(again.stdout)["duplicates"] == 3 and count_rows(world, "orders") == 3


def test_import_xlsx(cli: typer.Typer, world: Ordo, sqlite_url: str, tmp_path: Path) -> None:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["PO-X", "ACME", "2026-11-10 09:30:00", "浙江杭州西湖区文三路1号", "张", "13800001111", "",
                  "SKU-TEA", 3, 128, None, None, None])  # fmt: skip
    src = tmp_path / "pos.xlsx"
    book.save(src)
    result = runner.invoke(cli, ["import", str(src), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1


def test_map_prints_the_order_and_milestones_or_the_reasons(
    cli: typer.Typer, world: Ordo, sqlite_url: str
) -> None:
    ok = runner.invoke(
        cli, ["channels", "map", "douyin", str(FIXTURES / "douyin/create.json"), "--db", sqlite_url]
    )
    assert ok.exit_code == 0, ok.output
    out = json.loads(ok.stdout)
    assert out["order"]["total_fen"] == 4270 and [m["milestone"] for m in out["milestones"]] == [
        "created",
        "paid",
    ]
    bad = runner.invoke(
        cli, ["channels", "map", "taobao", str(FIXTURES / "taobao/create.json"), "--db", sqlite_url]
    )
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["reasons"][0]["code"] == "unmapped_sku"
    assert count_rows(world, "channel_dead_letters") == 0  # map writes nothing


def test_sku_map_then_replay_all(cli: typer.Typer, world: Ordo, sqlite_url: str) -> None:
    from ordo.service.channels.receive import receive

    receipt = receive(world, "taobao", (FIXTURES / "taobao/create.json").read_bytes())
    assert receipt.dead_letter_id is not None
    assert runner.invoke(cli, ["channels", "replay", "--all", "--db", sqlite_url]).exit_code == 1
    mapped = runner.invoke(
        cli, ["channels", "sku-map", "taobao", "4801234567891", "SKU-CUP", "--db", sqlite_url]
    )
    assert mapped.exit_code == 0, mapped.output
    done = runner.invoke(cli, ["channels", "replay", "--id", str(receipt.dead_letter_id), "--db", sqlite_url])
    assert done.exit_code == 0 and json.loads(done.stdout)[0]["outcome"] == "created"
    assert count_rows(world, "orders") == 1


def test_list_shows_vocabularies(cli: typer.Typer) -> None:
    out = runner.invoke(cli, ["channels", "list"]).stdout
    assert "WAIT_SELLER_SEND_GOODS" in out and "pinduoduo" in out
