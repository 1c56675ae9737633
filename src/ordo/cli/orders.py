"""``ordo orders …``: look at, list and cancel orders from a terminal."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

console = Console(stderr=True)

orders_app = typer.Typer(help="Orders / 订单", no_args_is_help=True)


@orders_app.command("show")
def orders_show(order_id: str, db: DbOption = None) -> None:
    """Print one order with its lines and milestones."""
    with open_ordo(db).store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
    if order is None:
        console.print(f"no order {order_id} / 订单不存在")
        raise typer.Exit(1)
    print_json(order)


@orders_app.command("list")
def orders_list(
    status: Annotated[str | None, typer.Option()] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 20,
    db: DbOption = None,
) -> None:
    """The newest orders, optionally filtered."""
    from ordo.adapters.store.repositories.orders import OrderFilter

    with open_ordo(db).store.uow(read_only=True) as uow:
        rows = uow.orders.search(OrderFilter(status=status, channel=channel), limit=limit)
    if not rows:  # say so: an empty answer looks like a command that did nothing
        console.print("no orders match / 没有符合条件的订单")
        return
    for r in rows:
        sys.stdout.write(
            f"{r['id']}  {r['channel']:<10} {r['status']:<16} {r['warehouse_id'] or '-':<8} "
            f"{r['province']}{r['city']}  ¥{r['total_fen'] / 100:.2f}\n"
        )


@orders_app.command("cancel")
def orders_cancel(
    order_id: str,
    reason: Annotated[str, typer.Option(help="Why / 取消原因")] = "operator",
    db: DbOption = None,
) -> None:
    """Cancel an order and release its stock (refused once it has shipped)."""
    from ordo.service.orders.milestones import cancel

    [result] = cancel(open_ordo(db), [order_id], reason=reason, source="cli")
    if result.error is not None:
        console.print(f"refused: {result.error.code}: {result.error.message}")
        raise typer.Exit(1)
    console.print(f"{order_id}: {result.outcome.value}, status {result.status}")
