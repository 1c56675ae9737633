"""``ordo status``: check the status graph (``lint``) and show an order through it (``show``)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

status_app = typer.Typer(help="Status graph / 状态图谱", no_args_is_help=True)
console = Console(stderr=True)


@status_app.command("lint")
def lint_graph(
    path: Annotated[
        str | None, typer.Option(help="Graph file (default: $ORDO_STATUS_GRAPH or the built-in)")
    ] = None,
) -> None:
    """Unreachable statuses, cycles, vocabularies that map to nothing; exit 1 on any error."""
    from pathlib import Path

    from ordo.adapters.status_graph import graph_path, read_graph
    from ordo.domain.orders.status_graph import GraphError
    from ordo.domain.orders.status_lint import lint

    file = Path(path) if path else graph_path()
    try:
        graph = read_graph(file)
    except GraphError as exc:
        console.print(f"[red]error[/red] {exc}")
        raise typer.Exit(1) from None
    findings = lint(graph)
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        console.print(f"[{colour}]{f.severity}[/{colour}] {f.code} at {f.where}: {f.message}")
    errors = sum(f.severity == "error" for f in findings)
    console.print(
        f"{file}: {len(graph.statuses)} statuses, {len(graph.sources)} sources, "
        f"{len(graph.conflicts)} conflict rules; {errors} errors / {errors} 个错误"
    )
    if errors:
        raise typer.Exit(1)


@status_app.command("show")
def show(
    order_id: str,
    db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None,
) -> None:
    """An order's milestones (who said what, when) and the status the graph derives from them."""
    import dataclasses

    from ordo.adapters.status_graph import load_graph
    from ordo.bootstrap import bootstrap
    from ordo.config import Settings
    from ordo.domain.orders.milestones import Milestone

    settings = Settings.from_env()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    ordo = bootstrap(settings)
    with ordo.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        conflicts = [e for e in uow.outbox.for_order(order_id) if e["type"] == "order.status_conflict"]
    if order is None:
        console.print(f"no order {order_id} / 订单不存在")
        raise typer.Exit(1)
    graph = load_graph()
    steps = {Milestone(m["milestone"]) for m in order["milestones"]}
    derived = graph.derive(steps)
    label = next(r.label for r in graph.statuses if r.status is derived)
    out = {
        "order_id": order_id,
        "stored_status": order["status"],
        "derived_status": derived.value,
        "label": {"en": label[0], "zh": label[1]},
        "milestones": [{k: m[k] for k in ("milestone", "at_ns", "source")} for m in order["milestones"]],
        "conflicts": [e["payload"] for e in conflicts],
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
