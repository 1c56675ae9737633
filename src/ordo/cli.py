"""``ordo``: the operator's command line. Thin: parse, call the service layer, print.

Heavy imports happen inside the commands so ``ordo --help`` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli_aggregates import rebuild_aggregates
from ordo.cli_bench import bench_app
from ordo.cli_channels import channels_app, import_file
from ordo.cli_common import DbOption
from ordo.cli_common import open_ordo as _ordo
from ordo.cli_common import print_json as _print_json
from ordo.cli_relay import relay
from ordo.cli_route import route_app
from ordo.cli_routing import explain_command
from ordo.cli_rules import rules_app
from ordo.cli_serve import GRACE_S, serve, start_background
from ordo.cli_status import status_app

app = typer.Typer(help="Ordo: a real-time order hub / 实时订单中枢", no_args_is_help=True)
db_app = typer.Typer(help="Database schema / 数据库", no_args_is_help=True)
keys_app = typer.Typer(help="API keys / 接口密钥", no_args_is_help=True)
orders_app = typer.Typer(help="Orders / 订单", no_args_is_help=True)
world_app = typer.Typer(help="The simulated world / 模拟世界", no_args_is_help=True)
app.add_typer(db_app, name="db")
db_app.command("rebuild-aggregates")(rebuild_aggregates)
app.add_typer(keys_app, name="keys")
app.add_typer(orders_app, name="orders")
app.add_typer(world_app, name="world")
app.add_typer(bench_app, name="bench")
app.add_typer(channels_app, name="channels")
app.add_typer(rules_app, name="rules")
app.add_typer(status_app, name="status")
app.add_typer(route_app, name="route")
app.command("relay")(relay)
app.command("serve")(serve)
app.command("import")(import_file)
app.command("explain")(explain_command)

console = Console(stderr=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the newest revision."""
    ordo = _ordo(db)
    console.print(f"schema at revision {ordo.store.revision()} ({ordo.store.dialect})")


@world_app.command("generate")
def world_generate(
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same world")] = 42,
    db: DbOption = None,
) -> None:
    """Generate the simulated world (warehouses, SKUs, customers, carriers, stock) into the store."""
    from ordo.sim.world import generate_world, load_world

    ordo = _ordo(db)
    world = generate_world(seed)
    load_world(ordo, world)
    console.print(
        f"world {seed}: {len(world.warehouses)} warehouses, {len(world.skus)} SKUs, "
        f"{len(world.customers)} customers, {len(world.carriers)} carriers"
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, ops, finance, risk, viewer or integration")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")] = "cli",
    db: DbOption = None,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    from ordo.domain.access import Role
    from ordo.service.keys import create_key

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    sys.stdout.write(create_key(_ordo(db), chosen, name) + "\n")


@keys_app.command("list")
def keys_list(db: DbOption = None) -> None:
    """List API keys (never their secrets)."""
    from ordo.service.keys import list_keys

    _print_json(list_keys(_ordo(db)))


@keys_app.command("revoke")
def keys_revoke(key_id: str, db: DbOption = None) -> None:
    """Revoke an API key by its id."""
    from ordo.domain.errors import NotFound
    from ordo.service.keys import revoke_key

    try:
        revoke_key(_ordo(db), key_id)
    except NotFound as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    console.print(f"revoked {key_id} / 已吊销")


@orders_app.command("show")
def orders_show(order_id: str, db: DbOption = None) -> None:
    """Print one order with its lines and milestones."""
    with _ordo(db).store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
    if order is None:
        console.print(f"no order {order_id} / 订单不存在")
        raise typer.Exit(1)
    _print_json(order)


@orders_app.command("list")
def orders_list(
    status: Annotated[str | None, typer.Option()] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 20,
    db: DbOption = None,
) -> None:
    """The newest orders, optionally filtered."""
    from ordo.adapters.store.orders import OrderFilter

    with _ordo(db).store.uow(read_only=True) as uow:
        rows = uow.orders.search(OrderFilter(status=status, channel=channel), limit=limit)
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
    from ordo.service.lifecycle import cancel

    [result] = cancel(_ordo(db), [order_id], reason=reason, source="cli")
    if result.error is not None:
        console.print(f"refused: {result.error.code}: {result.error.message}")
        raise typer.Exit(1)
    console.print(f"{order_id}: {result.outcome.value}, status {result.status}")


@app.command()
def simulate(
    orders: Annotated[int, typer.Option(help="Orders to simulate")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 42,
    exceptions: Annotated[
        bool, typer.Option(help="Inject trouble, scan for exceptions, print auto-closure rate and precision")
    ] = False,
    db: DbOption = None,
) -> None:
    """Run a simulated retail day against the store, a day in seconds, and print a summary."""
    from rich.progress import Progress

    from ordo.clock import ManualClock
    from ordo.sim.runner import simulate as run
    from ordo.sim.trouble import Trouble

    clock = ManualClock(_day_start_ns())
    ordo = _ordo(db, clock=clock)
    _ensure_world(ordo, seed)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("simulating / 模拟中", total=1.0)
        summary = run(
            ordo,
            clock,
            orders=orders,
            seed=seed,
            on_progress=lambda p: bar.update(task, completed=p.fraction),
            trouble=Trouble() if exceptions else None,
        )
    _print_json(summary.as_dict())
    if summary.exceptions is not None:
        rate, precision = (summary.exceptions[k] for k in ("auto_closure_rate", "alert_precision"))
        console.print(
            f"auto-closure rate / 异常自动闭环率: {'n/a' if rate is None else f'{rate:.1%}'}   "
            f"alert precision / 告警有效率: {'n/a' if precision is None else f'{precision:.1%}'}"
        )
        from ordo.sim.truth import detector_lines

        for line in detector_lines(summary.exceptions):
            console.print(line, highlight=False, soft_wrap=True)


def _ensure_world(ordo: Any, seed: int) -> None:
    """Load the simulated world unless the store already has one."""
    from ordo.sim import ensure_world

    with ordo.store.uow(read_only=True) as uow:
        has_world = uow.catalog.count("warehouses") > 0
    if not has_world:
        console.print(f"generating the simulated world (seed {seed}) / 生成模拟世界")
        ensure_world(ordo, seed)


def _day_start_ns() -> int:
    """Today 00:00 in Asia/Shanghai, as UTC ns: simulations start at midnight."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    today = dt.datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(today.timestamp()) * 1_000_000_000


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="World and traffic seed")] = 42,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second")] = 60.0,
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    key_file: Annotated[str | None, typer.Option(help="Also write the admin key to this file")] = None,
    db: DbOption = None,
) -> None:
    """Set up everything and run Ordo with live simulated traffic (Ctrl-C stops)."""
    import time

    import uvicorn

    from ordo.api.app import create_app
    from ordo.clock import ScaledClock
    from ordo.config import Settings
    from ordo.domain.access import Role
    from ordo.service.keys import create_key
    from ordo.sim.live import LiveTraffic

    settings = Settings.from_env()
    ordo = _ordo(db, clock=ScaledClock(time.time_ns(), speed))
    _ensure_world(ordo, seed)
    key = create_key(ordo, Role.ADMIN, "demo")
    if key_file:
        Path(key_file).write_text(key + "\n", encoding="utf-8")
    host, port = host or settings.host, port or settings.port
    base = f"http://{host}:{port}"
    console.print(
        "\n[bold]Ordo demo / 演示[/bold] — a simulated retail day at "
        f"{speed:g}× speed on {ordo.store.url}\n"
        f"  API docs / 接口文档   {base}/docs\n"
        f"  health / 健康检查     {base}/healthz\n"
        f"  orders / 订单         {base}/api/v1/orders\n"
        f"  live events / 事件流  {base}/api/v1/stream\n"
        f"  metrics / 指标        {base}/metrics\n"
        f"  admin API key / 管理员密钥  {key}\n"
        f"  try: curl -H 'Authorization: Bearer {key}' {base}/api/v1/orders?limit=5\n"
    )
    traffic = LiveTraffic(ordo, seed=seed)
    traffic.start()
    stop_background = start_background(ordo)
    try:
        uvicorn.run(
            create_app(ordo, settings),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
        )
    finally:
        stop_background()
        traffic.stop()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
