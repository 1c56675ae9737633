"""``ordo explain ORDER``: why an order ships from its warehouse, and why not another one."""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer
from rich.console import Console

from ordo.cli.common import open_ordo

console = Console(stderr=True)


def explain_command(
    order_id: Annotated[str, typer.Argument(help="Order id / 订单号")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en / 语言")] = "zh",
    why_not: Annotated[
        str | None, typer.Option("--why-not", help="A warehouse to compare with / 对比的仓库")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None,
) -> None:
    """Why this warehouse, why not that one: the latest routing decision in words and numbers."""
    from ordo.domain.errors import NotFound
    from ordo.service.routing.decisions import explain_order

    if lang not in ("zh", "en"):
        console.print(f"--lang must be zh or en, not {lang!r} / 语言须为 zh 或 en")
        raise typer.Exit(2)
    ordo = open_ordo(db)
    language: Literal["zh", "en"] = "zh" if lang == "zh" else "en"
    try:
        text = explain_order(ordo, order_id, language, why_not)
    except NotFound as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    finally:
        ordo.store.dispose()
    sys.stdout.write(text + "\n")
