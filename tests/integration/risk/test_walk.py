"""The risk radar's walk (issue 17, Done-when): a typhoon track file arrives → the exposed
orders are listed within a second → a plan is proposed, approved by the right role,
executed → the explanation of a re-routed order names the typhoon → the event ends →
status restored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.rules.governance import ApprovalTierDenied, SelfApproval
from ordo.service.orders.intake import intake
from ordo.service.risk import events, impact, plans
from ordo.service.routing.decisions import explain_order
from ordo.service.rules.records import Actor
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
OPS = Actor("li.ops", Role.OPS)
OPS2 = Actor("wang.ops", Role.OPS)
RISK = Actor("zhao.risk", Role.RISK)
VIEWER = Actor("guest", Role.VIEWER)


@pytest.fixture(params=["sqlite", "postgresql"])
def both(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Ordo]:
    """The tiny world on SQLite and on PostgreSQL (skipped when no server answers)."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def _gz_orders(app, n, prefix="T"):
    """Orders into 广东 with the gas canister, which only 广州白云仓 stocks besides tea."""
    return intake(
        app,
        [
            new_order(f"{prefix}-{i}", [("SKU-TEA", 1)], province="广东省", city="深圳市", district="南山区")
            for i in range(n)
        ],
    )


def test_a_typhoon_track_file_walks_from_exposure_to_a_plan_to_restored(both):
    world = both
    placed = _gz_orders(world, 3)
    assert {r.warehouse_id for r in placed} == {"WH-GZ"}
    elsewhere = intake(
        world, [new_order("FAR-1", [("SKU-TEA", 1)], province="北京市", city="北京市", district="朝阳区")]
    )

    [ev] = events.import_feed(world, (FIXTURES / "typhoon_haikui_track.geojson").read_bytes(), actor="feed")
    assert ev["kind"] == "typhoon" and ev["status"] == "potential" and ev["active"]
    assert ev["covered"]["warehouses"] == ["WH-GZ"] and "440000" in ev["covered"]["provinces"]

    started = time.perf_counter()
    scan = impact.scan(world, ev["id"])
    assert time.perf_counter() - started < 1.0
    exposed = {o["id"] for o in scan["orders"]}
    assert exposed == {r.order_id for r in placed}
    assert elsewhere[0].order_id not in exposed
    assert scan["totals"]["orders"] == 3 and scan["totals"]["money_fen"] > 0
    assert scan["by_region"][0]["province"]["zh"] == "广东省"
    assert all(set(o["why"]) == {"origin", "destination"} for o in scan["orders"])

    plan = plans.propose(world, ev["id"], actor=OPS)
    assert plan["status"] == "proposed" and plan["tier"] == "L2" and plan["orders"] == 3
    assert {a["action"] for a in plan["actions"]} == {"reroute"}
    assert all(a["to_warehouse"] in {"WH-SH", "WH-BJ"} for a in plan["actions"])
    assert all(a["hours_delta"] is not None for a in plan["actions"])
    with pytest.raises(SelfApproval):
        plans.approve(world, plan["id"], actor=OPS)
    with pytest.raises(ApprovalTierDenied):
        plans.approve(world, plan["id"], actor=VIEWER)
    approved = plans.approve(world, plan["id"], actor=OPS2)
    assert approved["status"] == "approved" and approved["approved_by"] == "wang.ops"

    done = plans.execute(world, plan["id"], actor=OPS2)
    assert done["status"] == "executed" and done["result"]["done"] == 3
    moved = placed[0].order_id
    text = explain_order(world, moved, "zh")
    assert "风险处置预案" in text and "台风「台风海葵" in text and ev["id"] in text
    assert "WH-GZ" in text
    en = explain_order(world, moved, "en")
    assert "typhoon '台风海葵" in en

    ended = events.end(world, ev["id"], actor="li.ops")
    assert ended["status"] == "restored" and not ended["active"]
    assert impact.scan(world, ev["id"])["totals"]["orders"] == 0
    history = [h["action"] for h in events.get(world, ev["id"])["history"]]
    assert history[0] == "recorded" and "plan_executed" in history and history[-1] == "restored"

    # The typhoon over, a new order into 广东 ships from 广州 again and names no event.
    [after] = _gz_orders(world, 1, prefix="AFTER")
    assert after.warehouse_id == "WH-GZ"
    assert "风险事件" not in explain_order(world, after.order_id, "zh")


def test_a_plan_over_the_bounds_needs_risk_approval_and_reverts(world, monkeypatch):
    monkeypatch.setattr(plans, "plan_tier", lambda n, money: (3, "wide"))  # as if over the bounds
    placed = _gz_orders(world, 2)
    [ev] = events.import_feed(world, (FIXTURES / "typhoon_haikui_track.geojson").read_bytes(), actor="feed")
    plan = plans.propose(world, ev["id"], actor=OPS)
    assert plan["tier"] == "L3"
    with pytest.raises(ApprovalTierDenied):
        plans.approve(world, plan["id"], actor=OPS2)
    plans.approve(world, plan["id"], actor=RISK)
    done = plans.execute(world, plan["id"], actor=OPS)
    assert done["result"]["done"] == 2
    back = plans.revert(world, plan["id"], actor=OPS)
    assert back["status"] == "reverted"
    assert set(back["result"]["reverted"].values()) == {"reverted"}
    with world.store.uow(read_only=True) as uow:
        assert {uow.orders.get(r.order_id)["warehouse_id"] for r in placed} == {"WH-GZ"}
    actions = [h["action"] for h in plans.get(world, plan["id"])["history"]]
    assert actions == ["proposed", "approved", "executed", "reverted"]


def test_a_warehouse_power_loss_closes_it_to_routing_and_the_explanation_says_why(world):
    [ev] = events.import_feed(world, (FIXTURES / "warehouse_power_loss.geojson").read_bytes(), actor="feed")
    assert ev["blocks"] and ev["covered"]["warehouses"] == ["WH-GZ"]
    [r] = intake(
        world, [new_order("GAS-1", [("SKU-TEA", 1)], province="广东省", city="广州市", district="天河区")]
    )
    assert r.warehouse_id != "WH-GZ"
    text = explain_order(world, r.order_id, "en")
    assert "warehouse power loss" in text and "closed (excluded by a hard constraint)" in text
    events.end(world, ev["id"], actor="ops")
    [again] = intake(
        world, [new_order("GAS-2", [("SKU-TEA", 1)], province="广东省", city="广州市", district="天河区")]
    )
    assert again.warehouse_id == "WH-GZ"


def test_a_red_rainstorm_cap_alert_raises_origin_risk_in_the_objective(world):
    [ev] = events.import_feed(
        world, (FIXTURES / "guangdong_red_rainstorm.cap.xml").read_bytes(), actor="feed"
    )
    assert ev["kind"] == "rainstorm" and ev["severity"] == "extreme" and ev["confidence"] == 0.8
    assert ev["covered"]["warehouses"] == ["WH-GZ"] and not ev["blocks"]
    [r] = intake(
        world, [new_order("RAIN-1", [("SKU-TEA", 1)], province="广东省", city="广州市", district="天河区")]
    )
    from ordo.service.routing.decisions import routing_view

    [attempt] = routing_view(world, r.order_id, "zh")["attempts"]
    gz = next(c for c in attempt["candidates"] if c["warehouse_id"] == "WH-GZ")
    assert gz["objectives"]["risk"]["raw"] == pytest.approx(0.8)
    assert "暴雨「广东省气象台发布暴雨红色预警信号」" in attempt["explanation"]


def test_an_order_picked_after_the_plan_is_refused_at_execution_and_the_rest_move_in_one_batch(world):
    from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
    from ordo.service.orders.milestones import advance
    from tests.conftest import T0

    placed = _gz_orders(world, 3, prefix="PICK")
    [ev] = events.import_feed(world, (FIXTURES / "typhoon_haikui_track.geojson").read_bytes(), actor="feed")
    plan = plans.propose(world, ev["id"], actor=OPS)
    plans.approve(world, plan["id"], actor=OPS2)
    picked = placed[0].order_id
    for step in (Milestone.RELEASED_TO_WAREHOUSE, Milestone.PICKED):
        advance(world, [MilestoneUpdate(picked, step, T0, "wms")])
    done = plans.execute(world, plan["id"], actor=OPS2)
    result = done["result"]["orders"]
    assert result[picked]["outcome"] == "refused" and done["result"]["refused"] == 1
    moved = [r.order_id for r in placed[1:]]
    assert all(result[o]["outcome"] == "done" and result[o]["to"] in {"WH-SH", "WH-BJ"} for o in moved)
    with world.store.uow(read_only=True) as uow:
        assert uow.orders.get(picked)["warehouse_id"] == "WH-GZ"
        for o in moved:
            stored = uow.orders.get(o)
            assert stored["warehouse_id"] == result[o]["to"]
            assert {ln["warehouse_id"] for ln in stored["lines"]} == {result[o]["to"]}
            assert [e["type"] for e in uow.outbox.for_order(o)].count("order.rerouted") == 1
        gz = uow.stock.get([("WH-GZ", "SKU-TEA")])[("WH-GZ", "SKU-TEA")].reserved
    assert gz == 1  # only the picked order still holds its unit at 广州
