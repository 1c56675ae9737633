"""``ordo world generate``, ``ordo simulate`` and ``ordo demo``: the simulated world and its traffic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json
from ordo.cli.serve import GRACE_S

console = Console(stderr=True)
world_app = typer.Typer(help="The simulated world / 模拟世界", no_args_is_help=True)


@world_app.command("generate")
def world_generate(
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same world")] = 42,
    db: DbOption = None,
) -> None:
    """Generate the simulated world (warehouses, SKUs, customers, carriers, stock) into the store."""
    from ordo.sim.world import generate_world, load_world

    ordo = open_ordo(db)
    world = generate_world(seed)
    load_world(ordo, world)
    console.print(
        f"world {seed}: {len(world.warehouses)} warehouses, {len(world.skus)} SKUs, "
        f"{len(world.customers)} customers, {len(world.carriers)} carriers"
    )


def simulate(
    orders: Annotated[int, typer.Option(help="Orders to simulate")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 42,
    incidents: Annotated[
        bool, typer.Option(help="Inject trouble, scan for incidents, print auto-closure rate and precision")
    ] = False,
    exceptions: Annotated[bool, typer.Option(hidden=True, help="The former name of --incidents")] = False,
    db: DbOption = None,
) -> None:
    """Run a simulated retail day against the store, a day in seconds, and print a summary."""
    from rich.progress import Progress

    from ordo.clock import ManualClock
    from ordo.sim.runner import simulate as run
    from ordo.sim.trouble import Trouble

    clock = ManualClock(_day_start_ns())
    ordo = open_ordo(db, clock=clock)
    _ensure_world(ordo, seed)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("simulating / 模拟中", total=1.0)
        summary = run(
            ordo,
            clock,
            orders=orders,
            seed=seed,
            on_progress=lambda p: bar.update(task, completed=p.fraction),
            trouble=Trouble() if incidents or exceptions else None,
        )
    print_json(summary.as_dict())
    if summary.incidents is not None:
        rate, precision = (summary.incidents[k] for k in ("auto_closure_rate", "alert_precision"))
        console.print(
            f"auto-closure rate / 异常自动闭环率: {'n/a' if rate is None else f'{rate:.1%}'}   "
            f"alert precision / 告警有效率: {'n/a' if precision is None else f'{precision:.1%}'}"
        )
        from ordo.sim.truth import detector_lines

        for line in detector_lines(summary.incidents):
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
    from ordo.service.runtime.keys import create_key
    from ordo.sim.live import LiveTraffic

    settings = Settings.from_env()
    ordo = open_ordo(db, clock=ScaledClock(time.time_ns(), speed))
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
    ordo.background.start()
    try:
        uvicorn.run(
            create_app(ordo, settings),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
        )
    finally:
        ordo.background.stop()
        traffic.stop()
