"""Properties over random worlds: a wave never over-promises, and every chosen warehouse
passes every hard constraint (lacking at most stock of what other parcels ship)."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.routing import PlanStatus, replay, route

from .net import SKUS, WAREHOUSES, WHERE, context, request

stock_st = st.fixed_dictionaries(
    {w.id: st.fixed_dictionaries({s: st.integers(0, 4) for s in SKUS}) for w in WAREHOUSES}
)
line_st = st.lists(
    st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=4, unique_by=lambda t: t[0]
)
order_st = st.tuples(
    line_st, st.sampled_from(sorted(WHERE)), st.sampled_from([frozenset(), frozenset({"cold_chain"})])
)


@settings(max_examples=60, deadline=None)
@given(stock=stock_st, orders=st.lists(order_st, min_size=1, max_size=12), capacity=st.integers(0, 3))
def test_a_wave_never_over_promises_and_only_ships_from_eligible_warehouses(stock, orders, capacity) -> None:  # type: ignore[no-untyped-def]
    ctx = context(stock)
    ctx.capacity_left[:] = capacity
    before = ctx.stock.atp.copy()
    reqs = [request(tuple(ls), to=to, flags=fl, order_id=f"O{i}") for i, (ls, to, fl) in enumerate(orders)]
    plans = route(reqs, ctx)
    assert (ctx.stock.atp >= 0).all()
    assert (ctx.capacity_left >= 0).all()
    promised = np.zeros_like(before)
    for req, plan in zip(reqs, plans, strict=True):
        units: dict[str, int] = {}
        for p in plan.parcels:
            for s, q in p.lines:
                units[s] = units.get(s, 0) + q
        assert units in ({}, dict(req.lines))  # every unit of the order or none of it
        snap = plan.snapshot()
        # The recorded numbers lead to the recorded plan.
        assert replay(json.loads(json.dumps(snap))) == [p.warehouse_id for p in plan.parcels]
        by_id = {c["warehouse"]: c for c in snap["candidates"]}
        for p in plan.parcels:
            cand = by_id[p.warehouse_id]
            allowed = [] if plan.status is PlanStatus.ROUTED else ["stock"]
            assert cand["reasons"] in ([], allowed)  # a split parcel lacks only other lines' stock
            if snap["mode"] == "units":  # a line's units from several: each within its holding
                skus = [s for s, _ in req.lines]
                assert all(q <= cand["holds"][skus.index(s)] for s, q in p.lines)
            else:
                assert {s for s, _ in p.lines} <= set(cand["covers"])
            for s, q in p.lines:
                promised[ctx.stock.index[s], ctx.network.w_index[p.warehouse_id]] += q
    assert (promised <= before).all()
    assert (before - ctx.stock.atp == promised).all()
