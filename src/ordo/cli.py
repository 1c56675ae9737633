"""``ordo``: the operator's command line. Thin: parse, call the service layer, print.

Heavy imports happen inside the commands so ``ordo --help`` stays instant.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli_aggregates import rebuild_aggregates, start_projector
from ordo.cli_channels import channels_app, import_file
from ordo.cli_relay import relay
from ordo.cli_route import route_app
from ordo.cli_routing import explain_command
from ordo.cli_rules import rules_app
from ordo.cli_status import status_app

app = typer.Typer(help="Ordo: a real-time order hub / 实时订单中枢", no_args_is_help=True)
db_app = typer.Typer(help="Database schema / 数据库", no_args_is_help=True)
keys_app = typer.Typer(help="API keys / 接口密钥", no_args_is_help=True)
orders_app = typer.Typer(help="Orders / 订单", no_args_is_help=True)
world_app = typer.Typer(help="The simulated world / 模拟世界", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks (print one JSON object) / 基准测试", no_args_is_help=True)
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
app.command("import")(import_file)
app.command("explain")(explain_command)

console = Console(stderr=True)
#: Open SSE streams never end by themselves; give them this long at shutdown.
GRACE_S = 3
#: Real seconds between exception scans in `ordo serve` and `ordo demo`.
SCAN_EVERY_S = 2.0
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $ORDO_DATABASE_URL or sqlite:///ordo.db)")
]


def _ordo(db: str | None = None, *, clock: Any = None) -> Any:
    from ordo.config import Settings
    from ordo.service.app import bootstrap

    settings = Settings.from_env()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    return bootstrap(settings, clock=clock)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


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
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from ordo.api.app import create_app
    from ordo.config import Settings

    ordo = _ordo(db)
    settings = Settings.from_env()
    stop_background = _start_background(ordo)
    try:
        uvicorn.run(
            create_app(ordo, settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
        )
    finally:
        stop_background()


def _start_background(ordo: Any) -> Any:
    """Events out (webhooks; MQTT / NATS when configured), and the exception scan with the
    rule breakers, each in its own thread beside the server; returns the function that
    stops them."""
    from ordo.config import Settings
    from ordo.service import inventory
    from ordo.service.breaker import check_breakers
    from ordo.service.exceptions import scan
    from ordo.service.outbound import Worker, start_outbound

    outbound = start_outbound(ordo)
    stock = inventory.Background(ordo, Settings.from_env().reservation_ttl_minutes)

    def scan_once() -> int:
        scan(ordo)
        check_breakers(ordo)  # a published rule version past its bounds rolls back by itself
        stock.step()  # expire unpaid reservations; publish moved channel stock (库存同步)
        return 0  # paced by the worker's idle wait, whatever the scan found

    scanner = Worker("ordo-exceptions", scan_once, idle_s=SCAN_EVERY_S, close=lambda: None)
    scanner.start()
    aggregates = start_projector(ordo)  # the dashboard's aggregates follow the outbox

    def stop() -> None:
        aggregates.stop()
        scanner.stop()
        outbound.stop()
        scanner.join(5)
        aggregates.join(5)

    return stop


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
    stop_background = _start_background(ordo)
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


@bench_app.command("intake")
def bench_intake(
    orders: Annotated[int, typer.Option(help="Orders through the service layer")] = 20_000,
    batch: Annotated[int, typer.Option(help="Orders per batch (the API takes up to 1,000)")] = 1000,
    http_orders: Annotated[int, typer.Option(help="Orders through HTTP (0 to skip)")] = 5_000,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Intake throughput and latency: service layer, HTTP, and raw SQLite for the ratio."""
    from ordo.bench.intake import run

    _print_json(run(orders=orders, batch=batch, http_orders=http_orders, seed=seed))


@bench_app.command("channels")
def bench_channels(
    payloads: Annotated[int, typer.Option(help="Payloads per channel through the adapters")] = 20_000,
    webhooks: Annotated[int, typer.Option(help="Signed webhooks to a real ordo serve (0 to skip)")] = 2_000,
    rate: Annotated[float, typer.Option(help="Webhooks offered per second")] = 500.0,
) -> None:
    """Adapter mapping throughput per channel and webhook → visible latency."""
    from ordo.bench.channels import run

    _print_json(run(payloads=payloads, webhooks=webhooks, rate=rate))


@bench_app.command("identity")
def bench_identity() -> None:
    """Identity resolution: identifier links per second (union-find, keys, store)."""
    from ordo.bench.identity import run

    _print_json(run())


@bench_app.command("backtest")
def bench_backtest(
    orders: Annotated[int, typer.Option(help="Stored orders to backtest over")] = 1_000_000,
    db: Annotated[str | None, typer.Option(help="Database URL (default: a temporary SQLite file)")] = None,
    repeat: Annotated[int, typer.Option(help="Runs; the figures are the medians")] = 3,
) -> None:
    """Backtest of 100 rules against 50 over stored orders: read, evaluate, diff."""
    from ordo.bench.backtest import run

    _print_json(run(orders, db, repeat=repeat))


@bench_app.command("status")
def bench_status(
    orders: Annotated[int, typer.Option(help="Orders whose systems report")] = 4_000,
    batch: Annotated[int, typer.Option(help="Status updates per request")] = 1_000,
) -> None:
    """Status-update ingestion (system vocabularies → milestones) in batches on SQLite."""
    from ordo.bench.status import run

    _print_json(run(orders=orders, batch=batch))


@bench_app.command("routing")
def bench_routing() -> None:
    """Routing: one 5-line order over 500 warehouses, a 10,000-order wave, the optimiser's gap."""
    from ordo.bench.routing import run

    _print_json(run())


@bench_app.command("optimise")
def bench_optimise(
    orders: Annotated[int, typer.Option(help="Orders in the wave")] = 10_000,
    warehouses: Annotated[int, typer.Option(help="Capacity-limited warehouses")] = 200,
) -> None:
    """Batch optimiser: exact min-cost assignment, and the router's gap with and without duals."""
    from ordo.bench.optimise import run

    _print_json(run(orders=orders, warehouses=warehouses))


@bench_app.command("health")
def bench_health() -> None:
    """Order health: recompute the score of 1,000,000 open orders (vectorised) and aggregate."""
    from ordo.bench.health import run

    _print_json(run())


@bench_app.command("stream")
def bench_stream(
    rate: Annotated[int, typer.Option(help="Milestone updates offered per second")] = 1000,
    batch: Annotated[int, typer.Option(help="Updates per request")] = 10,
    seconds: Annotated[float, typer.Option(help="How long to send")] = 10.0,
    senders: Annotated[int, typer.Option(help="Concurrent sending threads")] = 4,
) -> None:
    """Milestone update accepted by the API → event received on the SSE stream: p50/p99."""
    from ordo.bench.stream import run

    _print_json(run(rate=rate, batch=batch, seconds=seconds, senders=senders))


@bench_app.command("pages")
def bench_pages(
    orders: Annotated[int, typer.Option(help="Orders seeded (bulk insert)")] = 1_000_000,
) -> None:
    """Dashboard reads over many orders: overview (cold and warm) and order search."""
    from ordo.bench.pages import run

    _print_json(run(orders))


@bench_app.command("oversell")
def bench_oversell(
    procs: Annotated[int, typer.Option(help="Processes reserving at once")] = 8,
    db: Annotated[str, typer.Option("--db", help="sqlite, postgres, or a database URL")] = "sqlite",
    orders: Annotated[int, typer.Option(help="Orders per process")] = 200,
) -> None:
    """Processes reserving the same hot SKUs through the service: units reserved vs on hand, 0 oversold."""
    from ordo.bench.oversell import run

    report = run(procs=procs, db=db, orders=orders)
    _print_json(report)
    if report["oversold_units"] or not report["books_balance"]:
        raise typer.Exit(1)


@bench_app.command("rules")
def bench_rules() -> None:
    """Rule evaluation: µs per order (scalar) and rows/s over a million orders (Polars)."""
    from ordo.rules.bench import run

    _print_json(run())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
