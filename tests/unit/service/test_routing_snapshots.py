"""The stored decision row says exactly what the router's own snapshot says, and replays to the plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ordo.adapters.geo import load_divisions
from ordo.domain.routing import (
    Directives,
    PlanStatus,
    RouteRequest,
    RoutingContext,
    StockMatrix,
    build_network,
    replay,
    route,
    route_one,
)
from ordo.service.routing.expand import expand, fired_ids
from ordo.service.routing.snapshots import FiredRule, decision_row, decision_rows
from ordo.sim.demand import OrderFactory
from ordo.sim.world import generate_world

NOW = 1_794_326_400 * 10**9 + 9 * 3600 * 10**9  # 2026-11-11 09:00 Asia/Shanghai


@pytest.fixture(scope="module")
def wave():
    div = load_divisions()
    world = generate_world(3, warehouses=36, skus=400, customers=50, divisions=div)
    net = build_network(world.warehouses, world.carriers)
    factory = OrderFactory(world, div, 3)
    orders = []
    for n in range(300):
        o = factory.make(NOW - 60 * 10**9)
        d = div.locate(o.ship_to.province, o.ship_to.city, o.ship_to.district, o.ship_to.adcode)
        if d is not None:
            ship = dataclasses.replace(o.ship_to, lat=d.lat, lng=d.lng)
            orders.append(dataclasses.replace(o, id=f"O{n:04d}", ship_to=ship))
    weights = {s.sku: s.weight_g for s in world.skus}
    stock = StockMatrix.from_rows(net, [(s.warehouse_id, s.sku, s.available) for s in world.stock])
    return net, stock, [RouteRequest.of_order(o, weights) for o in orders]


def _same(full, mine, *, exact_norm):
    for key in full:
        if key == "candidates":
            assert len(full[key]) == len(mine[key])
            for a, b in zip(full[key], mine[key], strict=True):
                plain = [{k: v for k, v in x.items() if k != "norm"} for x in (a, b)]
                assert plain[0] == plain[1]
                if exact_norm:  # a wave's rows keep its normalisation exactly
                    assert a["norm"] == b["norm"]
                for k, v in a["norm"].items():  # otherwise float32: for reading, not for replay
                    assert b["norm"][k] == pytest.approx(v, abs=1e-6)
        else:
            assert full[key] == mine[key], key


def test_a_wave_s_rows_expand_to_the_routers_own_snapshots_and_replay_to_the_plans(wave):
    net, stock, reqs = wave
    ctx = RoutingContext(net, stock.copy(), now_ns=NOW)
    plans = route(reqs, ctx)
    names = [[w.id, w.name] for w in net.warehouses]
    batch = decision_rows(plans, ctx, network="n", attempt=1, trigger="intake", at_ns=NOW)
    statuses = set()
    for p, row in zip(plans, batch, strict=True):
        alone = decision_row(p, ctx, network="n", attempt=1, trigger="intake", at_ns=NOW)
        for stored, exact in ((row, p._entry < 0), (alone, False)):
            mine = expand(stored, names)
            _same(p.snapshot(), mine, exact_norm=exact)
            assert replay(mine) == [x.warehouse_id for x in p.parcels]
        assert {k: v for k, v in row.items() if k != "data"} == {
            k: v for k, v in alone.items() if k != "data"
        }
        statuses.add(row["status"])
    assert "routed" in statuses and len(batch) == len(plans)


def test_a_split_decided_alone_over_every_warehouse_round_trips_too(wave):
    net, stock, reqs = wave
    ctx = RoutingContext(net, stock.copy(), now_ns=NOW)
    multi = next(r for r in reqs if len(r.lines) >= 2)
    # Take every line's stock away from all but one holder per line, so a split is needed.
    rows = [stock.row(s) for s, _ in multi.lines]
    ctx.stock.atp[rows] = 0
    for j, row in enumerate(rows):
        ctx.stock.atp[row, j % net.n_warehouses] = 1000
    req = dataclasses.replace(multi, goods_fen=1_000_000, directives=Directives(split_allowed=True))
    plan = route_one(req, ctx)
    row = decision_row(plan, ctx, network="n", attempt=2, trigger="reroute", at_ns=NOW)
    mine = expand(row, [[w.id, w.name] for w in net.warehouses])
    _same(plan.snapshot(), mine, exact_norm=False)
    assert replay(mine) == [x.warehouse_id for x in plan.parcels]
    assert plan.status is PlanStatus.SPLIT and row["status"] == "split" and len(plan.parcels) >= 2


def test_the_row_is_compact_and_carries_the_rules_that_fired(wave):
    net, stock, reqs = wave
    ctx = RoutingContext(net, stock.copy(), now_ns=NOW)
    plans = route(reqs[:50], ctx)
    fired, v = [FiredRule("r3", "新疆,西藏 走 邮政", "routing")], 4
    rows = [
        decision_row(
            p, ctx, network="n", attempt=1, trigger="intake", at_ns=NOW, fired=fired, rules_version=4
        )
        for p in plans
    ]
    sizes = np.array([len(r["data"]) for r in rows])
    full = np.array([len(str(p.snapshot())) for p in plans])
    assert sizes.mean() < full.mean() / 3  # under a third of the router's own snapshot
    assert fired_ids(rows[0]) == (v, ["r3"])


def test_the_service_s_stock_matrix_is_the_router_s_from_rows(wave):
    from ordo.service.routing.context import stock_matrix

    net, _, _ = wave
    rows = [
        ("WH-NOWHERE", "SKU-A", 5),
        (net.warehouses[0].id, "SKU-B", -3),
        (net.warehouses[1].id, "SKU-A", 7),
    ]
    rows += [(w.id, f"SKU-{i % 5}", i) for i, w in enumerate(net.warehouses)]
    mine, theirs = stock_matrix(net, rows), StockMatrix.from_rows(net, rows)
    assert mine.skus == theirs.skus and (mine.atp == theirs.atp).all()
    assert stock_matrix(net, []).atp.shape == (0, net.n_warehouses)


def test_a_units_split_is_stored_with_what_each_warehouse_held_and_replays(wave):
    net, stock, reqs = wave
    ctx = RoutingContext(net, stock.copy(), now_ns=NOW)
    req = reqs[0]
    sku, _ = req.lines[0]
    row = ctx.stock.index[sku]
    holders = np.flatnonzero(ctx.stock.atp[row] > 0)[:2]
    ctx.stock.atp[row] = 0
    ctx.stock.atp[row, holders] = 3  # two sites with 3 each: 5 units need both
    one = dataclasses.replace(req, lines=((sku, 5),), goods_fen=1_000_000)
    plan = route_one(one, ctx)
    assert plan.status is PlanStatus.SPLIT
    assert sorted(q for p in plan.parcels for _, q in p.lines) == [2, 3]
    stored = decision_row(plan, ctx, network="n", attempt=1, trigger="intake", at_ns=NOW)
    mine = expand(stored, [[w.id, w.name] for w in net.warehouses])
    _same(plan.snapshot(), mine, exact_norm=False)
    assert mine["mode"] == "units" and all("holds" in c for c in mine["candidates"])
    assert replay(mine) == [x.warehouse_id for x in plan.parcels]
