"""``ordo channels …`` and ``ordo import``: the operator's side of omnichannel intake.

Thin like :mod:`ordo.cli`: parse, call :mod:`ordo.service.channels.receive` /
:mod:`ordo.service.channels.importing`, print. Wired into the main app by ``ordo.cli``::

    from ordo.cli.channels import channels_app, import_file
    app.add_typer(channels_app, name="channels")
    app.command("import")(import_file)
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import open_ordo, print_json

channels_app = typer.Typer(help="Channels: adapters, SKU map, dead letters / 渠道", no_args_is_help=True)
console = Console(stderr=True)
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $ORDO_DATABASE_URL or sqlite:///ordo.db)")
]


@channels_app.command("list")
def channels_list() -> None:
    """Channels Ordo reads (and the other names each answers to, e.g. 淘宝 / tb), with each
    platform status and the milestones it maps to."""
    from ordo.adapters.channels import ADAPTERS
    from ordo.service.channels.receive import channel_aliases

    aliases = channel_aliases()
    for name, adapter in ADAPTERS.items():
        also = f"  (also: {', '.join(aliases[name])})" if aliases[name] else ""
        sys.stdout.write(f"{name}{also}\n")
        for status, steps in adapter.statuses.items():
            sys.stdout.write(f"  {status:<28} → {' → '.join(m.value for m in steps)}\n")


@channels_app.command("map")
def channels_map(
    channel: str,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="One payload as the platform sends it")
    ],
    suggest_skus: Annotated[
        bool,
        typer.Option("--suggest-skus", help="Propose Ordo SKUs for unmapped ones / 为未映射商品推荐 SKU"),
    ] = False,
    text: Annotated[
        bool, typer.Option("--text", help="A readable view instead of JSON / 以文本显示")
    ] = False,
    db: DbOption = None,
) -> None:
    """Preview the canonical order a payload maps to, every problem on its field; exit 1 if
    it could not be taken in. Writes nothing. / 预览渠道报文映射结果，逐字段标出问题。"""
    from ordo.domain.errors import NotFound
    from ordo.service.channels.preview import preview

    ordo = open_ordo(db)
    try:
        result = preview(ordo, channel, file.read_text(encoding="utf-8"), suggest_skus=suggest_skus)
    except NotFound as exc:
        console.print(exc.message)
        raise typer.Exit(2) from None
    out = result.as_dict()
    if text:
        sys.stdout.write(_preview_text(out))
    else:
        print_json(out)
    if not result.accepted:
        raise typer.Exit(1)


def _wall(ns: int | None) -> str:
    """UTC nanoseconds as Asia/Shanghai wall time, the way the platforms show it."""
    import datetime as dt

    if not ns:
        return "—"
    at = dt.datetime.fromtimestamp(ns / 1e9, dt.timezone(dt.timedelta(hours=8)))
    return at.strftime("%Y-%m-%d %H:%M:%S+08")


def _preview_text(p: dict[str, Any]) -> str:
    """The preview as a person reads it: each field, and under it what is wrong with it."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for problem in p["problems"]:
        for name in problem["field"].split(", "):
            by_field.setdefault(name, []).append(problem)
    shown: set[str] = set()

    def notes(*names: str) -> list[str]:
        rows = []
        for name in names:
            for problem in by_field.get(name, []):
                if problem["field"] in shown:  # one problem on two fields is said once
                    continue
                shown.add(problem["field"])
                mark = "✗" if problem["severity"] == "error" else "!"
                rows.append(f"      {mark} {problem['message']}")
                for s in problem.get("suggestions", []):
                    rows.append(f"        → {s['sku']} {s['name']} ({s['score']:.2f}; {s['why']})")
        return rows

    verdict = "taken in / 可接收" if p["accepted"] else "NOT taken in / 无法接收"
    rows = [f"{p['channel']}  status {p['status']}  →  {verdict}"]
    o = p["order"]
    if o is not None:
        rows.append(
            f"  order {o['external_id']}  placed {_wall(o['placed_at_ns'])}  paid {_wall(o['paid_at_ns'])}"
        )
        for i, ln in enumerate(o["lines"]):
            sku = ln["sku"] or "(unmapped / 未映射)"
            rows.append(
                f"  lines[{i}] {sku} × {ln['quantity']} @ {ln['unit_price_fen']} fen − {ln['discount_fen']}"
                f"  [{', '.join(ln['platform_skus'])}] {ln['title']} {' '.join(ln['flags'])}".rstrip()
            )
            rows += notes(f"lines[{i}].sku", f"lines[{i}].quantity", f"lines[{i}].unit_price_fen")
        a = o["ship_to"]
        rows.append(
            f"  ship_to {a['province']} {a['city']} {a['district']} {a['detail']}  adcode {a['adcode']}"
        )
        rows.append(f"          {a['name']} {a['phone']}")
        rows += notes("ship_to", "ship_to.name", "ship_to.phone")
        rows.append(
            f"  goods {o['goods_fen']} + freight {o['freight_fen']} − discount {o['discount_fen']}"
            f" = total {o['total_fen']} fen"
        )
        rows.append(
            f"  milestones {' → '.join(m['milestone'] for m in p['milestones'])}  tags {' '.join(o['tags'])}"
        )
    rest = [q for q in p["problems"] if q["field"] not in shown]
    if rest:
        rows.append("  problems / 问题:")
        for q in rest:
            mark = "✗" if q["severity"] == "error" else "!"
            rows.append(f"    {mark} {q['message']}")
    return "\n".join(rows) + "\n"


@channels_app.command("replay")
def channels_replay(
    id_: Annotated[list[int] | None, typer.Option("--id", help="Dead letter id (repeatable)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every open dead letter")] = False,
    db: DbOption = None,
) -> None:
    """Process dead letters again after fixing the mapping."""
    from ordo.service.channels.receive import ChannelOutcome, replay

    if not id_ and not all_:
        raise typer.BadParameter("give --id N (repeatable) or --all / 请指定 --id 或 --all")
    receipts = replay(open_ordo(db), None if all_ else id_)
    print_json([r.as_dict() for r in receipts])
    if any(r.outcome is ChannelOutcome.DEAD_LETTERED for r in receipts):
        raise typer.Exit(1)


@channels_app.command("dead-letters")
def channels_dead_letters(limit: Annotated[int, typer.Option()] = 50, db: DbOption = None) -> None:
    """Open dead letters with their reasons (bodies omitted)."""
    from ordo.service.channels.receive import dead_letters

    rows = dead_letters(open_ordo(db), limit=limit)
    print_json([{k: v for k, v in r.items() if k != "body"} for r in rows])


@channels_app.command("sku-map")
def channels_sku_map(channel: str, platform_sku: str, ordo_sku: str, db: DbOption = None) -> None:
    """Map a platform SKU id to an Ordo SKU (then replay the dead letters it blocked)."""
    from ordo.domain.errors import OrdoError
    from ordo.service.channels.receive import set_sku_mapping

    try:
        set_sku_mapping(open_ordo(db), channel, platform_sku, ordo_sku)
    except OrdoError as exc:
        console.print(f"refused: {exc.message}")
        raise typer.Exit(1) from None
    console.print(f"{channel} {platform_sku} → {ordo_sku}")


@channels_app.command("secret")
def channels_secret(
    channel: str,
    secret: Annotated[str | None, typer.Option(help="Omit to generate one")] = None,
    db: DbOption = None,
) -> None:
    """Set a channel's webhook secret in the store (printed once); the environment wins if set."""
    import secrets as random_secrets

    from ordo.service.channels.receive import set_secret

    value = secret or random_secrets.token_urlsafe(32)
    set_secret(open_ordo(db), channel, value)
    sys.stdout.write(value + "\n")


@channels_app.command("check")
def channels_check(
    spec: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A channel mapping file (.toml)")],
    payloads: Annotated[
        list[Path] | None, typer.Argument(exists=True, dir_okay=False, help="Payloads to read with it")
    ] = None,
) -> None:
    """Check a mapping file before installing it: the file (exit 2 naming the bad key), then each
    payload as the platform sends it (exit 1 if one cannot be read). Needs no database.
    / 检查渠道映射文件及样例报文"""
    from ordo.adapters.channels import Unmappable
    from ordo.adapters.channels.declarative import SpecError, load_spec
    from ordo.service.channels.receive import parse_body

    try:
        adapter = load_spec(spec)
    except SpecError as exc:
        console.print(f"refused / 映射文件无效: {exc}", markup=False)
        raise typer.Exit(2) from None
    results: list[dict[str, Any]] = []
    for path in payloads or []:
        try:
            co = adapter.parse(parse_body(path.read_text(encoding="utf-8")))
        except Unmappable as exc:
            results.append(
                {"file": str(path), "mappable": False, "reasons": [r.as_dict() for r in exc.reasons]}
            )
            continue
        results.append(
            {
                "file": str(path),
                "mappable": True,
                "external_id": co.external_id,
                "status": co.status,
                "complete": co.complete,
                "milestones": [{"milestone": m.value, "at_ns": at} for m, at in co.steps],
                "lines": [line._asdict() for line in co.lines],
                "freight_fen": co.freight_fen,
                "paid_total_fen": co.paid_total_fen,
                "address": co.address._asdict(),
                "tags": list(co.tags),
            }
        )
    summary = {
        "channel": adapter.channel,
        "aliases": list(adapter.aliases),
        "statuses": len(adapter.statuses),
    }
    print_json({**summary, "payloads": results})
    if any(not r["mappable"] for r in results):
        raise typer.Exit(1)


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
    channel: Annotated[str, typer.Option(help="Only b2b reads files")] = "b2b",
    batch: Annotated[int, typer.Option(help="Orders per intake transaction")] = 200,
    db: DbOption = None,
) -> None:
    """Import orders from CSV / Excel; bad rows go to FILE.rejects.csv with a reason each."""
    from rich.progress import Progress

    from ordo.adapters.channels.b2b import COLUMNS, group_rows, read_rows
    from ordo.service.channels.importing import import_orders

    if channel != "b2b":
        raise typer.BadParameter("only --channel b2b imports files / 仅 b2b 渠道支持文件导入")
    pos = list(group_rows(read_rows(file)))
    ordo = open_ordo(db)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("importing / 导入中", total=len(pos))
        report = import_orders(ordo, channel, pos, batch=batch, on_progress=lambda n: bar.advance(task, n))
    summary: dict[str, Any] = report.as_dict()
    if report.rejects:
        rejects = file.with_name(file.name + ".rejects.csv")
        with rejects.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", *COLUMNS, "reason"])
            for reject in sorted(report.rejects, key=lambda r: r.po.rows[0]):
                for n, raw in zip(reject.po.rows, reject.po.raw, strict=True):
                    writer.writerow([n, *(raw.get(c, "") for c in COLUMNS), reject.reason])
        summary["rejects_file"] = str(rejects)
    print_json(summary)
    if report.rejects:
        raise typer.Exit(1)
