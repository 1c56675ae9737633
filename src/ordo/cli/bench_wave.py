"""``ordo bench wave``: the batch optimiser over a wave, and how the real-time router compares.

The wave is a JSON file (``--wave``) or drawn from the simulated world (``--orders N``);
it is routed over the routing bench's synthetic network of ``--warehouses`` sites and
its stock. Prints the minimum-cost assignment's summary as one JSON object: cost, orders
left unserved, the busiest warehouses, the priced (capacity-bound) ones, and the
real-time router's gap to the optimum (weighing cost alone, as the optimum does) with and
without the wave's shadow prices fed back.

Wave file: ``{"orders": [{"order_id", "lines": [[sku, units], …], "province", "lat",
"lng", "weight_g", "goods_fen"?, "flags"?, "tags"?}, …], "capacity"?: {warehouse id:
parcels}}``; ``--save-wave`` writes one (with the drawn orders) to start from.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

_FIELDS = ("order_id", "lines", "province", "lat", "lng", "weight_g")


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _requests(raw: Any) -> list[Any]:
    """Route requests from a wave file's ``orders``; a readable error naming the field."""
    from ordo.domain.routing import RouteRequest

    if not isinstance(raw, list) or not raw:
        raise _fail("wave file: 'orders' must be a non-empty list / 波次文件：orders 必须是非空列表")
    out = []
    for i, o in enumerate(raw):
        missing = [f for f in _FIELDS if not isinstance(o, dict) or f not in o]
        if missing:
            raise _fail(f"wave file: orders[{i}] lacks {', '.join(missing)} / 订单 {i} 缺少字段")
        try:
            out.append(
                RouteRequest(
                    order_id=str(o["order_id"]),
                    lines=tuple((str(s), int(q)) for s, q in o["lines"]),
                    flags=frozenset(o.get("flags", ())),
                    province=str(o["province"]),
                    lat=float(o["lat"]),
                    lng=float(o["lng"]),
                    weight_g=int(o["weight_g"]),
                    goods_fen=int(o.get("goods_fen", 0)),
                    tags=frozenset(o.get("tags", ())),
                )
            )
        except (TypeError, ValueError) as exc:
            raise _fail(f"wave file: orders[{i}] is malformed ({exc}) / 订单 {i} 格式错误") from None
    return out


def _wave_json(requests: list[Any]) -> dict[str, Any]:
    return {
        "orders": [
            {
                "order_id": r.order_id,
                "lines": [[s, q] for s, q in r.lines],
                "province": r.province,
                "lat": r.lat,
                "lng": r.lng,
                "weight_g": r.weight_g,
                "goods_fen": r.goods_fen,
                "flags": sorted(r.flags),
                "tags": sorted(r.tags),
            }
            for r in requests
        ]
    }


def wave_command(
    wave: Annotated[
        Path | None,
        typer.Option(help='Wave file: {"orders": [{order_id, lines, province, lat, lng, weight_g}, …]}'),
    ] = None,
    orders: Annotated[int | None, typer.Option(help="Or draw N orders from the simulated world")] = None,
    warehouses: Annotated[int, typer.Option(help="Warehouses in the synthetic network")] = 200,
    tightness: Annotated[
        float, typer.Option(help="Capacity per warehouse: this share of its unconstrained load, plus slack")
    ] = 0.7,
    seed: Annotated[int, typer.Option()] = 7,
    save_wave: Annotated[Path | None, typer.Option(help="Write the wave routed as a wave file")] = None,
) -> None:
    """Minimum-cost assignment of a wave under warehouse capacity, and the router's gap to it.
    最小成本波次分配（容量约束），以及实时路由与最优解的差距。"""
    import numpy as np

    from ordo.bench.optimise import COST_ONLY, STOCK_DEPTH, natural_load, wave_capacity, wave_context
    from ordo.bench.routing import bench_network, bench_orders, bench_stock
    from ordo.domain.routing import Directives, feedback_prices, greedy_gap, optimise_wave, route
    from ordo.extras import require

    require("optimise")  # before building the world, not after
    if (wave is None) == (orders is None):
        raise _fail("give exactly one of --wave FILE or --orders N / 请指定 --wave 或 --orders 之一")
    if orders is not None and not 1 <= orders <= 200_000:
        raise _fail("--orders must be between 1 and 200,000 / --orders 须在 1 到 200,000 之间")
    if not 1 <= warehouses <= 2_000:
        raise _fail("--warehouses must be between 1 and 2,000 / --warehouses 须在 1 到 2,000 之间")
    net, (world, div) = bench_network(seed, warehouses)
    stock = bench_stock(net, world, random.Random(f"{seed}:bench-stock"))
    stock.atp *= STOCK_DEPTH
    capacity_in: dict[str, Any] = {}
    if wave is not None:
        try:
            doc = json.loads(wave.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _fail(f"cannot read {wave}: {exc} / 无法读取波次文件") from None
        if not isinstance(doc, dict):
            raise _fail("wave file: expected a JSON object / 波次文件须为 JSON 对象")
        requests = _requests(doc.get("orders"))
        capacity_in = doc.get("capacity") or {}
        if not isinstance(capacity_in, dict):
            raise _fail("wave file: 'capacity' must map warehouse ids to counts / capacity 须为对象")
        for wid, n in capacity_in.items():
            if wid not in net.w_index or not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise _fail(f"wave file: capacity of {wid!r} is not a known warehouse's count / 容量无效")
    else:
        assert orders is not None
        requests = bench_orders(world, div, orders, None, random.Random(f"{seed}:route-optimise"))
    if save_wave is not None:
        save_wave.write_text(json.dumps(_wave_json(requests), ensure_ascii=False), encoding="utf-8")

    unlimited = np.full(net.n_warehouses, 10 * len(requests), dtype=np.int64)
    natural = natural_load(net, optimise_wave(requests, wave_context(net, stock, unlimited)))
    capacity = wave_capacity(net, natural, len(requests), tightness, 0.5)
    for wid, n in capacity_in.items():
        capacity[net.w_index[wid]] = n
    t0 = time.perf_counter()
    optimum = optimise_wave(requests, wave_context(net, stock, capacity))
    opt_ms = (time.perf_counter() - t0) * 1000

    loads: dict[str, int] = {}
    for site in optimum.assignment:
        if site is not None:
            loads[site] = loads.get(site, 0) + 1
    prices = optimum.capacity_price_fen
    cost = Directives(profile=COST_ONLY.name)
    priced = [replace(r, directives=cost) for r in requests]

    def gap(with_prices: bool) -> dict[str, Any]:
        ctx = wave_context(net, stock, capacity, feedback_prices(optimum) if with_prices else None)
        g = greedy_gap(route(priced, ctx), optimum, priced, wave_context(net, stock, capacity))
        return {"cost_gap": round(g.shared_ratio, 4), "unrouted": g.greedy_unserved, "split": g.greedy_split}

    summary = {
        "orders": len(requests),
        "warehouses": warehouses,
        "optimiser_ms": round(opt_ms, 1),
        "cost_fen": optimum.cost_fen,
        "unserved": optimum.unserved,
        "busiest": dict(sorted(loads.items(), key=lambda kv: (-kv[1], kv[0]))[:10]),
        "priced": {
            net.warehouses[i].id: round(float(prices[i]), 1)
            for i in sorted(range(len(prices)), key=lambda i: -prices[i])[:10]
            if prices[i] > 0
        },
        "router_without_duals": gap(False),
        # One wave only, so its own prices: the bench feeds the previous wave's instead.
        "router_with_own_duals": gap(True),
    }
    sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
