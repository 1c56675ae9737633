"""Split shipments at intake: an order no single warehouse covers ships as parcels, each line
reserved, released and consumed at its own warehouse, on both backends."""

from __future__ import annotations

import dataclasses

from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Stock
from ordo.domain.routing import replay
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.routing.expand import expand
from tests.conftest import T0, new_order
from tests.integration.service.routing_helpers import decisions, go_live, stored_order

# Cups are in Shanghai and Guangzhou, the limited edition only in Beijing: two parcels.
SPLIT_LINES = [("SKU-CUP", 2), ("SKU-RARE", 1)]


def _reserved(app) -> dict[tuple[str, str], tuple[int, int]]:
    """(on hand, reserved) of every stock row."""
    with app.store.uow(read_only=True) as uow:
        return {(s.warehouse_id, s.sku): (s.on_hand, s.reserved) for s in uow.stock.query(limit=100)}


def _split_order(app, external_id: str = "SP-1"):
    [r] = intake(app, [new_order(external_id, SPLIT_LINES)])
    assert r.hold_reason is None and r.warehouse_id is not None
    return r


def test_a_split_order_reserves_each_line_at_its_own_warehouse(shop):
    before = _reserved(shop)
    r = _split_order(shop)
    order = stored_order(shop, r.order_id)
    at = {ln["sku"]: ln["warehouse_id"] for ln in order["lines"]}
    assert at["SKU-RARE"] == "WH-BJ" and at["SKU-CUP"] in {"WH-SH", "WH-GZ"}
    after = _reserved(shop)
    assert after[("WH-BJ", "SKU-RARE")][1] == before[("WH-BJ", "SKU-RARE")][1] + 1
    cup = (at["SKU-CUP"], "SKU-CUP")
    assert after[cup][1] == before[cup][1] + 2
    moved = {k for k in after if after[k] != before[k]}
    assert moved == {("WH-BJ", "SKU-RARE"), cup}
    # The order view lists its parcels; the primary warehouse is the first parcel's.
    assert sorted(p["warehouse_id"] for p in order["parcels"]) == sorted({at["SKU-CUP"], "WH-BJ"})
    assert order["warehouse_id"] == order["parcels"][0]["warehouse_id"] == r.warehouse_id
    # The decision says split, names both warehouses and replays to the same parcels.
    [row] = decisions(shop, r.order_id)
    assert row["status"] == "split"
    assert set(row["warehouse_ids"].split(",")) == {at["SKU-CUP"], "WH-BJ"}
    with shop.store.uow(read_only=True) as uow:
        snap = expand(row, shop.caches.routing.listing(uow, row["network"]))
    assert sorted(replay(snap)) == sorted({at["SKU-CUP"], "WH-BJ"})


def test_cancelling_a_split_order_releases_both_warehouses(shop):
    before = _reserved(shop)
    r = _split_order(shop)
    [result] = cancel(shop, [r.order_id], reason="changed my mind")
    assert result.outcome.value == "recorded"
    assert _reserved(shop) == before


def test_outbound_of_a_split_order_consumes_at_both_warehouses(shop):
    before = _reserved(shop)
    r = _split_order(shop)
    at = {ln["sku"]: ln["warehouse_id"] for ln in stored_order(shop, r.order_id)["lines"]}
    steps = [Milestone.PICKED, Milestone.PACKED, Milestone.OUTBOUND]
    results = advance(shop, [MilestoneUpdate(r.order_id, m, T0 + n + 1, "wms") for n, m in enumerate(steps)])
    assert all(x.outcome.value == "recorded" for x in results)
    after = _reserved(shop)
    rare, cup = ("WH-BJ", "SKU-RARE"), (at["SKU-CUP"], "SKU-CUP")
    assert after[rare] == (before[rare][0] - 1, before[rare][1])
    assert after[cup] == (before[cup][0] - 2, before[cup][1])
    assert {k for k in after if after[k] != before[k]} == {rare, cup}


def test_a_sealed_order_or_one_a_rule_keeps_whole_is_held_for_stock_not_split(shop):
    go_live(shop, '当 订单含"整单"标签 时 不拆单')
    sealed = dataclasses.replace(new_order("SP-2", SPLIT_LINES), tags=("sealed",))
    whole = dataclasses.replace(new_order("SP-3", SPLIT_LINES), tags=("整单",))
    before = _reserved(shop)
    for r in intake(shop, [sealed, whole]):
        assert (r.warehouse_id, r.hold_reason) == (None, HoldReason.NO_STOCK)
        [row] = decisions(shop, r.order_id)
        assert row["status"] == "held"
        assert stored_order(shop, r.order_id)["parcels"] == []
    assert _reserved(shop) == before


def test_a_low_value_order_is_not_split(shop):
    cheap = new_order("SP-4", SPLIT_LINES)
    cheap = dataclasses.replace(
        cheap, lines=tuple(dataclasses.replace(ln, unit_price_fen=500) for ln in cheap.lines)
    )
    [held] = intake(shop, [cheap])  # 15 yuan of goods: a second parcel costs more than it earns
    assert (held.warehouse_id, held.hold_reason) == (None, HoldReason.NO_STOCK)
    assert decisions(shop, held.order_id)[0]["status"] == "held"


def test_a_playbook_reroute_of_a_split_order_releases_each_line_where_it_was_held(shop):
    from ordo.service.incidents.steps import StepContext, reroute

    r = _split_order(shop)
    at = {ln["sku"]: ln["warehouse_id"] for ln in stored_order(shop, r.order_id)["lines"]}
    # The other cup warehouse gets the limited edition too: it can now ship the order whole.
    other = ({"WH-SH", "WH-GZ"} - {at["SKU-CUP"]}).pop()
    with shop.store.uow() as uow:
        uow.stock.set_levels([Stock(other, "SKU-RARE", 5)])
        uow.commit()
    with shop.store.uow() as uow:
        ctx = StepContext(uow, T0, {"order_id": r.order_id, "id": 1, "channel": "tmall"}, None)
        outcome, _ = reroute(ctx)
        uow.commit()
    assert outcome.value == "done"
    order = stored_order(shop, r.order_id)
    assert order["warehouse_id"] == other
    assert {ln["warehouse_id"] for ln in order["lines"]} == {other}
    reserved = {k: v[1] for k, v in _reserved(shop).items() if v[1]}
    assert reserved == {(other, "SKU-RARE"): 1, (other, "SKU-CUP"): 2}
    cancel(shop, [r.order_id], reason="done")
    assert not any(v[1] for v in _reserved(shop).values())


def test_an_operator_reroute_of_a_split_order_releases_each_line_where_it_was_held(shop):
    from ordo.service.routing.decisions import reroute

    r = _split_order(shop, "SP-OP")
    at = {ln["sku"]: ln["warehouse_id"] for ln in stored_order(shop, r.order_id)["lines"]}
    other = ({"WH-SH", "WH-GZ"} - {at["SKU-CUP"]}).pop()
    with shop.store.uow() as uow:
        uow.stock.set_levels([Stock(other, "SKU-RARE", 5)])
        uow.commit()
    attempt = reroute(shop, r.order_id, reason="仓库检修", exclude=["WH-BJ", at["SKU-CUP"]])
    assert attempt["warehouse_ids"] == [other]
    reserved = {k: v[1] for k, v in _reserved(shop).items() if v[1]}
    assert reserved == {(other, "SKU-RARE"): 1, (other, "SKU-CUP"): 2}
    cancel(shop, [r.order_id], reason="done")
    assert not any(v[1] for v in _reserved(shop).values())


def test_an_order_a_rule_marks_sealed_is_neither_split_nor_merged(shop):
    from ordo.domain.orders.consolidation import SEALING_TAGS

    go_live(shop, '当 订单金额 > 100 时 标记 "不拆不合"')
    [r] = intake(shop, [new_order("SP-SEAL", SPLIT_LINES)])
    assert (r.warehouse_id, r.hold_reason) == (None, HoldReason.NO_STOCK)  # held whole, not split
    assert "不拆不合" in stored_order(shop, r.order_id)["tags"] and "不拆不合" in SEALING_TAGS
