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
    db: DbOption = None,
) -> None:
    """Show the canonical order and milestones a payload maps to, or why it cannot (exit 1)."""
    from ordo.adapters.channels import Unmappable
    from ordo.domain.errors import NotFound
    from ordo.service.channels.receive import map_payload, parse_body

    ordo = open_ordo(db)
    try:
        mapped = map_payload(ordo, channel, parse_body(file.read_text(encoding="utf-8")))
    except NotFound as exc:
        console.print(exc.message)
        raise typer.Exit(2) from None
    except Unmappable as exc:
        print_json({"mappable": False, "reasons": [r.as_dict() for r in exc.reasons]})
        raise typer.Exit(1) from None
    co = mapped.source
    print_json(
        {
            "mappable": True,
            "status": co.status,
            "milestones": [{"milestone": m.value, "at_ns": at} for m, at in co.steps],
            "order": _order_json(mapped.order) if mapped.order else None,
            "address": None
            if mapped.address is None
            else {"confidence": mapped.address.confidence, "reason": mapped.address.reason},
        }
    )


def _order_json(order: Any) -> dict[str, Any]:
    import dataclasses

    out: dict[str, Any] = dataclasses.asdict(order)
    for line in out["lines"]:
        line["flags"] = sorted(line["flags"])
    out["goods_fen"], out["total_fen"] = order.goods_fen, order.total_fen
    return out


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
