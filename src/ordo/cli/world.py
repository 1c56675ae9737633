"""``ordo world generate``, ``ordo simulate`` and ``ordo demo``: the simulated world and its traffic."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json
from ordo.cli.serve import GRACE_S

if TYPE_CHECKING:
    from ordo.sim.world import World

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


def demo_banner(base: str, key: str, *, speed: float, store_url: str, sim_ns: int, wall_ns: int) -> list[str]:
    """What ``ordo demo`` prints at start: one line per item, each URL and the key whole."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    sim = dt.datetime.fromtimestamp(sim_ns / 1e9, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    resumed = "  (continues the last run / 接续上次运行)" if sim_ns > wall_ns else ""
    auth = shlex.quote(f"Authorization: Bearer {key}")
    return [
        "",
        f"Ordo demo / 演示 — a simulated retail day at {speed:g}× speed on {store_url}",
        f"  simulated time / 模拟时间  {sim} Asia/Shanghai{resumed}",
        f"  dashboard / 看板       {base}/",
        f"  API docs / 接口文档    {base}/docs",
        f"  health / 健康检查      {base}/healthz",
        f"  orders / 订单          {base}/api/v1/orders",
        f"  live events / 事件流   {base}/api/v1/stream",
        f"  metrics / 指标         {base}/metrics",
        f"  admin API key / 管理员密钥  {key}",
        "  (paste the key on the dashboard's sign-in screen / 在看板登录页粘贴此密钥)",
        "  try / 试一试:",
        f"    curl -H {auth} {shlex.quote(base + '/api/v1/orders?limit=5')}",
        '  signed channel webhooks / 渠道签名推送: README.md, "Send a channel webhook with curl"',
        "  Ctrl-C stops / 按 Ctrl-C 停止",
        "",
    ]


def _resume_ns(url: str, wall_ns: int) -> int:
    """Where the demo's simulated clock starts: where the last demo's traffic got to, if later
    than now, so a restart does not stamp new orders hours before the ones already there."""
    from ordo.adapters.store import open_store
    from ordo.sim.live import resume_ns

    store = open_store(url)
    try:
        return resume_ns(store, wall_ns)
    finally:
        store.dispose()


def _demo_world(ordo: Any, seed: int) -> World:
    """The simulated world: loaded on a first run (and said so), else rebuilt from its stored seed."""
    from ordo.sim.world import WORLD_SEED_KEY, ensure_world

    with ordo.store.uow(read_only=True) as uow:
        if uow.catalog.get_meta(WORLD_SEED_KEY) is None:
            console.print(f"generating the simulated world (seed {seed}) / 生成模拟世界")
    return ensure_world(ordo, seed)


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
    from ordo.cli.http_limits import server_options
    from ordo.clock import ScaledClock
    from ordo.config import Settings
    from ordo.domain.access import Role
    from ordo.service.runtime.keys import create_key
    from ordo.sim.live import LiveTraffic
    from ordo.sim.samples import map_sample_skus

    settings = Settings.from_env()
    wall_ns = time.time_ns()
    start_ns = _resume_ns(db or settings.database_url, wall_ns)
    ordo = open_ordo(db, clock=ScaledClock(start_ns, speed))
    world = _demo_world(ordo, seed)
    map_sample_skus(ordo, world)  # the README's sample push maps onto this world
    key = create_key(ordo, Role.ADMIN, "demo")
    if key_file:
        Path(key_file).write_text(key + "\n", encoding="utf-8")
    host, port = host or settings.host, port or settings.port
    lines = demo_banner(
        f"http://{host}:{port}", key, speed=speed, store_url=ordo.store.url, sim_ns=start_ns, wall_ns=wall_ns
    )
    # Plain lines, never wrapped to the terminal: a key or URL broken in two does not paste.
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    traffic = LiveTraffic(ordo, seed=seed, world=world)
    traffic.start()
    ordo.background.start()
    try:
        uvicorn.run(
            create_app(ordo, settings),
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
            **server_options(settings),
        )
    finally:
        ordo.background.stop()
        traffic.stop()
