"""``ordo shops …``: platform shops (several per platform, each with its own credentials),
pulling their orders, writing shipments back, and a local platform emulator to try it on."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

console = Console(stderr=True)

shops_app = typer.Typer(
    help="Platform shops: credentials, pull, write-back / 平台店铺：凭证、拉单、发货回传",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    console.print(message)
    return typer.Exit(1)


@shops_app.command("add")
def shops_add(
    shop_id: Annotated[str, typer.Argument(help="Your name for the shop / 店铺编号")],
    channel: Annotated[str, typer.Option(help="taobao, tmall, jd, pinduoduo or douyin / 平台")],
    app_key: Annotated[str, typer.Option(help="The app key (client_id) / 应用 key")],
    app_secret: Annotated[str, typer.Option(help="The app secret / 应用密钥")],
    session: Annotated[str, typer.Option(help="The shop's session / access token / 店铺授权令牌")],
    endpoint: Annotated[str, typer.Option(help="The platform's API base URL / 平台接口地址")],
    name: Annotated[str, typer.Option(help="A display name / 显示名称")] = "",
    db: DbOption = None,
) -> None:
    """Add a shop with its own credentials (the secret is stored, shown masked)."""
    from ordo.domain.errors import OrdoError
    from ordo.service.channels.shops import add_shop

    try:
        shop = add_shop(
            open_ordo(db),
            shop_id=shop_id,
            channel=channel,
            app_key=app_key,
            app_secret=app_secret,
            session=session,
            endpoint=endpoint,
            name=name,
        )
    except OrdoError as exc:
        raise _fail(exc.message) from None
    print_json(shop)


@shops_app.command("list")
def shops_list(
    channel: Annotated[str | None, typer.Option(help="Only this platform / 仅此平台")] = None,
    db: DbOption = None,
) -> None:
    """List the shops, their credentials masked, with each one's pull cursor."""
    from ordo.service.channels.shops import list_shops

    print_json(list_shops(open_ordo(db), channel))


@shops_app.command("rotate")
def shops_rotate(
    shop_id: str,
    app_key: Annotated[str | None, typer.Option(help="A new app key / 新的应用 key")] = None,
    app_secret: Annotated[str | None, typer.Option(help="A new app secret / 新的应用密钥")] = None,
    session: Annotated[str | None, typer.Option(help="A new session / 新的授权令牌")] = None,
    db: DbOption = None,
) -> None:
    """Replace a shop's credentials; running pullers pick them up within seconds, no restart."""
    from ordo.domain.errors import OrdoError
    from ordo.service.channels.shops import rotate

    try:
        version = rotate(open_ordo(db), shop_id, app_key=app_key, app_secret=app_secret, session=session)
    except OrdoError as exc:
        raise _fail(exc.message) from None
    print_json({"shop_id": shop_id, "version": version})


@shops_app.command("pull")
def shops_pull(
    shop: Annotated[list[str] | None, typer.Option(help="Only this shop (repeatable) / 仅此店铺")] = None,
    lookback_hours: Annotated[
        float, typer.Option(help="First pull reaches this far back / 首次回溯小时数")
    ] = 72,
    watch: Annotated[
        float, typer.Option(help="Keep pulling every N seconds (0: once) / 每 N 秒拉取一次（0：只拉一次）")
    ] = 0,
    db: DbOption = None,
) -> None:
    """Download each shop's new and changed orders since its cursor and take them in."""
    import httpx

    from ordo.adapters.platforms import PlatformClient
    from ordo.service.channels.pull import Puller

    app = open_ordo(db)
    puller = Puller(app, PlatformClient(httpx.Client(timeout=30.0)), lookback_s=int(lookback_hours * 3600))
    while True:
        wanted = shop or [s["id"] for s in puller.shops.shops(app.store)]
        reports = [puller.pull(s).as_dict() for s in wanted]
        print_json(reports)
        if not watch:
            if any(r["error"] for r in reports):
                raise typer.Exit(1)
            return
        time.sleep(watch)


@shops_app.command("writeback")
def shops_writeback(
    replay: Annotated[
        bool, typer.Option(help="Retry dead-lettered confirmations first / 先重放死信")
    ] = False,
    db: DbOption = None,
) -> None:
    """Confirm shipped orders to their platforms now (what the background duty does)."""
    import httpx

    from ordo.adapters.platforms import PlatformClient
    from ordo.service.channels.writeback import WriteBack, replay_dead

    app = open_ordo(db)
    if replay:
        console.print(f"replayed / 已重放: {replay_dead(app)}")
    wb = WriteBack(app, PlatformClient(httpx.Client(timeout=30.0)))
    try:
        print_json(wb.run_until_idle())
    finally:
        wb.close()


@shops_app.command("ship")
def shops_ship(
    order_id: str,
    waybill: Annotated[
        str, typer.Option(help="CARRIER:WAYBILL, comma-separated for several parcels / 承运商:运单号")
    ],
    db: DbOption = None,
) -> None:
    """Record that an order left with its waybill(s), as a warehouse system reports it."""
    from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
    from ordo.service.orders.milestones import advance

    app = open_ordo(db)
    now = app.clock.now_ns()
    results = advance(
        app,
        [
            MilestoneUpdate(order_id, Milestone.WAYBILL_ISSUED, now, "wms", waybill),
            MilestoneUpdate(order_id, Milestone.OUTBOUND, now, "wms"),
        ],
    )
    print_json([{"milestone": r.update.milestone.value, "outcome": r.outcome.value} for r in results])
    refused = [r.error.message for r in results if r.error is not None]
    if refused:
        raise _fail(refused[0])


@shops_app.command("shipments")
def shops_shipments(
    state: Annotated[str | None, typer.Option(help="pending, acked or dead / 状态")] = None,
    db: DbOption = None,
) -> None:
    """Shipment confirmations owed to the platforms, and their state."""
    from ordo.service.channels.writeback import shipments

    print_json(shipments(open_ordo(db), state=state))


@shops_app.command("emulate")
def shops_emulate(
    shop: Annotated[
        list[str],
        typer.Option(
            help="ID:CHANNEL:APP_KEY:APP_SECRET:SESSION of an emulated shop (repeatable) / 模拟店铺"
        ),
    ],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 / 端口")] = 8765,
    orders: Annotated[int, typer.Option(help="Orders per shop / 每店订单数")] = 200,
    per_second: Annotated[int, typer.Option(help="Orders per second of modified time / 每秒订单数")] = 1,
    skus: Annotated[str, typer.Option(help="SKU:PRICE_FEN,… the shops sell / 商品")] = "SKU-TEA:12800",
    seed: Annotated[int, typer.Option(help="Seed of the generated orders / 随机种子")] = 1,
    start_ago: Annotated[
        int, typer.Option(help="The first order was modified this many seconds ago / 首单距今秒数")
    ] = 3600,
) -> None:
    """Run a local emulator of the platforms' APIs (its first order was modified an hour ago)."""
    from ordo.clock import NS_PER_S, SystemClock
    from ordo.sim.platforms import EmulatedShop, Emulator, EmulatorServer

    specs = []
    start = SystemClock().now_ns() // NS_PER_S - start_ago
    for text in shop:
        parts = text.split(":")
        if len(parts) != 5:
            raise typer.BadParameter(f"--shop {text!r}: ID:CHANNEL:APP_KEY:APP_SECRET:SESSION / 格式错误")
        sid, ch, key, secret, sess = parts
        specs.append(EmulatedShop(sid, ch, key, secret, sess, orders, start, per_second, seed))
    sold = []
    for item in skus.split(","):
        sku, _, price = item.partition(":")
        sold.append((sku, int(price or 100), sku))
    server = EmulatorServer(Emulator(SystemClock(), specs, skus=sold), port=port).start()
    sys.stdout.write(f"emulating {len(specs)} shop(s) at {server.url} / 平台模拟器已启动\n")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
