"""Disposal plans over a read snapshot: the proposal locks nothing (intake goes on while it
computes), and execution re-checks each order and the stock in its one short write — an
order changed since the proposal, or whose new stock was taken meanwhile, is skipped and
reported, never overwritten."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.domain.orders.model import Stock
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.risk import batch, events, plans
from ordo.service.routing.decisions import reroute
from ordo.service.rules.records import Actor
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
OPS = Actor("li.ops", Role.OPS)
OPS2 = Actor("wang.ops", Role.OPS)


@pytest.fixture(params=["sqlite", "postgresql"])
def both(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Ordo]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def _gz_orders(app: Ordo, n: int, prefix: str) -> list[str]:
    placed = intake(
        app,
        [
            new_order(f"{prefix}-{i}", [("SKU-TEA", 1)], province="广东省", city="深圳市", district="南山区")
            for i in range(n)
        ],
    )
    assert {r.warehouse_id for r in placed} == {"WH-GZ"}
    return [r.order_id for r in placed if r.order_id]


def _typhoon(app: Ordo) -> str:
    [ev] = events.import_feed(app, (FIXTURES / "typhoon_haikui_track.geojson").read_bytes(), actor="feed")
    return str(ev["id"])


def _stored(app: Ordo, order_id: str) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        got = uow.orders.get(order_id)
        assert got is not None
        return dict(got)


def test_an_order_taken_in_while_a_plan_is_computed_is_accepted_at_once(both, monkeypatch):
    """The what-if runs inside the proposal's transaction; an intake of the same SKU in
    another thread must not wait for it (a proposal holding SQLite's write lock or the
    stock rows would stall it until the proposal ended, or fail it)."""
    app = both
    _gz_orders(app, 3, "SNAP")
    event_id = _typhoon(app)
    real = batch.what_if
    seen: dict[str, Any] = {}

    def while_computing(*args: Any, **kwargs: Any) -> batch.Wave:
        def take_order() -> None:
            try:
                order = new_order(
                    "DURING", [("SKU-TEA", 1)], province="上海市", city="上海市", district="浦东新区"
                )
                seen["result"] = intake(app, [order])
            except Exception as exc:  # the assertion below names it
                seen["error"] = exc

        worker = threading.Thread(target=take_order)
        worker.start()
        worker.join(timeout=20)
        seen["finished"] = not worker.is_alive()
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "what_if", while_computing)
    plan = plans.propose(app, event_id, actor=OPS)
    assert seen.get("finished") and "error" not in seen, seen
    [r] = seen["result"]
    assert r.outcome.value == "created" and r.warehouse_id == "WH-SH"
    assert plan["orders"] == 3
    assert all(a["version"] for a in plan["actions"])


def test_the_proposal_writes_nothing_and_its_transaction_is_read_only_on_postgresql(pg_url, clock):
    import sqlalchemy as sa

    app = make_app(pg_url, clock)
    try:
        seed_tiny_world(app)
        _gz_orders(app, 2, "RO")
        with app.store.uow(read_only=True) as uow:
            uow.risk.read_snapshot()
            assert uow.connection.execute(sa.text("SHOW transaction_read_only")).scalar() == "on"
            with pytest.raises(Exception, match="read-only"):
                uow.stock.lock_available(["SKU-TEA"])  # FOR UPDATE is refused: no lock can be taken
    finally:
        app.store.dispose()


def test_an_order_changed_between_proposal_and_execution_is_skipped_not_overwritten(both):
    app = both
    ids = _gz_orders(app, 3, "CHG")
    plan = plans.propose(app, _typhoon(app), actor=OPS)
    assert plan["orders"] == 3
    changed = ids[0]
    # Someone moves it by hand to 北京 after the plan was proposed.
    reroute(app, changed, reason="客服手工改派 / moved by hand", force="WH-BJ")
    before = _stored(app, changed)
    plans.approve(app, plan["id"], actor=OPS2)
    done = plans.execute(app, plan["id"], actor=OPS2)
    result = done["result"]
    assert result["orders"][changed] == {"action": "reroute", "outcome": "refused", "error": "changed"}
    assert result["skipped"] == [changed]
    assert result["done"] == 2 and result["refused"] == 1
    after = _stored(app, changed)
    assert after["warehouse_id"] == "WH-BJ" and after["updated_at_ns"] == before["updated_at_ns"]
    with app.store.uow(read_only=True) as uow:
        assert [a["trigger"] for a in uow.routing.attempts(changed)] == ["intake", "reroute"]
        for oid in ids[1:]:
            assert uow.routing.attempts(oid)[-1]["trigger"] == "risk"


def test_an_order_whose_new_stock_is_taken_after_the_snapshot_stays_where_it_was(both):
    app = both
    ids = _gz_orders(app, 2, "STK")
    plan = plans.propose(app, _typhoon(app), actor=OPS)
    assert {a["to_warehouse"] for a in plan["actions"]} <= {"WH-SH", "WH-BJ"}
    plans.approve(app, plan["id"], actor=OPS2)
    # After the approval the approved warehouses' tea is gone: nothing is sent elsewhere.
    save_catalog(app, stock=[Stock("WH-SH", "SKU-TEA", 0), Stock("WH-BJ", "SKU-TEA", 0)])
    done = plans.execute(app, plan["id"], actor=OPS2)
    assert {r["error"] for r in done["result"]["orders"].values()} == {"stock"}
    assert sorted(done["result"]["skipped"]) == sorted(ids)
    with app.store.uow(read_only=True) as uow:
        for oid in ids:
            assert uow.orders.get(oid)["warehouse_id"] == "WH-GZ"
            assert [a["trigger"] for a in uow.routing.attempts(oid)] == ["intake"]
        gz = uow.stock.get([("WH-GZ", "SKU-TEA")])[("WH-GZ", "SKU-TEA")].reserved
    assert gz == 2  # their reservations at 广州 untouched


def test_an_approved_plan_executes_the_proposed_warehouse_and_carrier_without_routing_again(
    both, monkeypatch
):
    """Stock moves after the approval so that routing afresh would choose 北京 for all of
    them; execution applies what the approver saw (上海) and routes nothing."""
    from ordo.service.routing.decisions import explain_order

    app = both
    ids = _gz_orders(app, 3, "EXACT")
    event_id = _typhoon(app)
    plan = plans.propose(app, event_id, actor=OPS)
    proposed = {a["order_id"]: (a["to_warehouse"], a["to_carrier"]) for a in plan["actions"]}
    assert set(proposed) == set(ids) and {w for w, _ in proposed.values()} == {"WH-SH"}
    plans.approve(app, plan["id"], actor=OPS2)
    with app.store.uow(read_only=True) as uow:
        sh_before = uow.stock.get([("WH-SH", "SKU-TEA")])[("WH-SH", "SKU-TEA")]
        bj_before = uow.stock.get([("WH-BJ", "SKU-TEA")])[("WH-BJ", "SKU-TEA")]
    # 北京 gets plenty of tea, 上海 just enough for the three: a fresh route might differ.
    save_catalog(
        app, stock=[Stock("WH-SH", "SKU-TEA", sh_before.reserved + 3), Stock("WH-BJ", "SKU-TEA", 999)]
    )

    def no_routing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("execution routed the orders again")

    monkeypatch.setattr(batch, "what_if", no_routing)
    monkeypatch.setattr("ordo.service.risk.batch.route", no_routing)
    result = plans.execute(app, plan["id"], actor=OPS2)["result"]
    assert result["done"] == 3 and not result["skipped"]
    with app.store.uow(read_only=True) as uow:
        for oid in ids:
            order = uow.orders.get(oid)
            assert order["warehouse_id"] == "WH-SH"
            last = uow.routing.attempts(oid)[-1]
            assert (last["warehouse_ids"], last["carrier_ids"] or None) == proposed[oid]
            assert last["trigger"] == "risk" and last["attempt"] == 2
            assert result["orders"][oid] == {
                "action": "reroute",
                "outcome": "done",
                "from": "WH-GZ",
                "to": "WH-SH",
            }
        sh = uow.stock.get([("WH-SH", "SKU-TEA")])[("WH-SH", "SKU-TEA")]
        gz = uow.stock.get([("WH-GZ", "SKU-TEA")])[("WH-GZ", "SKU-TEA")]
        bj = uow.stock.get([("WH-BJ", "SKU-TEA")])[("WH-BJ", "SKU-TEA")]
        events_ = [e for oid in ids for e in uow.outbox.for_order(oid) if e["type"] == "order.rerouted"]
    assert sh.reserved == sh_before.reserved + 3 and gz.reserved == 0 and bj.reserved == bj_before.reserved
    assert len(events_) == 3
    # The explanation of the decision written names the event, as a fresh
    # re-route's does.
    zh, en = explain_order(app, ids[0], "zh"), explain_order(app, ids[0], "en")
    assert "风险处置预案" in zh and "台风「台风海葵" in zh and event_id in zh
    assert "typhoon '台风海葵" in en
    # Revert (which routes each order back to where it was): back to 广州, reserved there again.
    monkeypatch.undo()
    back = plans.revert(app, plan["id"], actor=OPS)
    assert set(back["result"]["reverted"].values()) == {"reverted"}
    with app.store.uow(read_only=True) as uow:
        assert {uow.orders.get(oid)["warehouse_id"] for oid in ids} == {"WH-GZ"}
        assert uow.stock.get([("WH-SH", "SKU-TEA")])[("WH-SH", "SKU-TEA")].reserved == sh_before.reserved


def test_an_order_going_into_an_extreme_event_is_held_and_one_changed_meanwhile_is_not(both):
    app = both
    to_gz = {"province": "广东省", "city": "广州市", "district": "天河区"}
    placed = intake(app, [new_order(f"MILK-{i}", [("SKU-MILK", 1)], **to_gz) for i in range(2)])
    assert {r.warehouse_id for r in placed} == {"WH-SH"}  # only 上海 keeps milk: not an origin at risk
    [ev] = events.import_feed(app, (FIXTURES / "guangdong_red_rainstorm.cap.xml").read_bytes(), actor="feed")
    plan = plans.propose(app, ev["id"], actor=OPS)
    held = {a["order_id"] for a in plan["actions"] if a["action"] == "hold"}
    first, second = (str(r.order_id) for r in placed)
    assert {first, second} <= held
    reroute(app, second, reason="客服手工改派 / moved by hand", force="WH-SH")  # changed meanwhile
    plans.approve(app, plan["id"], actor=OPS2)
    result = plans.execute(app, plan["id"], actor=OPS2)["result"]
    assert result["orders"][first] == {"action": "hold", "outcome": "done"}
    assert result["orders"][second]["error"] == "changed" and second in result["skipped"]
    assert _stored(app, first)["hold_reason"] and not _stored(app, second)["hold_reason"]


def test_orders_booked_with_a_struck_carrier_switch_carrier_in_one_batch(both):
    from ordo.domain.orders.model import Carrier
    from ordo.domain.risk import Assets, EventDraft, RiskKind, Severity
    from ordo.service.routing.decisions import routing_view
    from tests.conftest import T0

    app = both
    covered = frozenset({"浙江", "广东", "上海", "北京"})
    save_catalog(
        app,
        carriers=[
            Carrier("zto", "中通快递", coverage=covered, base_fen=500, per_kg_fen=100),
            Carrier("yto", "圆通速递", coverage=covered, base_fen=700, per_kg_fen=150),
        ],
    )
    ids = [str(r.order_id) for r in intake(app, [new_order(f"ZTO-{i}") for i in range(3)])]
    strike = EventDraft(
        kind=RiskKind.CARRIER_STRIKE,
        title="中通罢工 / ZTO walk-out",
        severity=Severity.SEVERE,
        confidence=1.0,
        source="test",
        area=None,
        assets=Assets(carriers=frozenset({"zto"})),
        starts_at_ns=T0,
        ends_at_ns=T0 + 12 * 3600 * 1_000_000_000,
    )
    ev = events.record(app, strike, actor="ops")
    plan = plans.propose(app, str(ev["id"]), actor=OPS)
    assert {a["order_id"]: a["action"] for a in plan["actions"]} == dict.fromkeys(ids, "switch_carrier")
    assert {a["to_carrier"] for a in plan["actions"]} == {"yto"}
    plans.approve(app, plan["id"], actor=OPS2)
    result = plans.execute(app, plan["id"], actor=OPS2)["result"]
    assert result["done"] == 3 and not result["skipped"]
    for oid in ids:
        last = routing_view(app, oid, "en")["attempts"][-1]
        assert last["carrier_ids"] == ["yto"] and last["trigger"] == "risk"
