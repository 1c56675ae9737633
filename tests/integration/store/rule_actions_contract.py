"""What the rules' actions store, on one backend (subclassed per backend): the discount
budget's evidence, permission freezes, notify channels and deliveries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.service.events import alerts
from ordo.service.orders.intake import intake
from ordo.service.rules import freezes
from ordo.service.rules.breaker import check_breakers
from ordo.service.rules.records import Actor, BreakerBounds
from ordo.service.rules.versions import create_draft, publish, submit
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world
from tests.integration.service.routing_helpers import APPROVER, AUTHOR, go_live


class RuleActionsContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def world(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        app = make_app(url, clock)
        seed_tiny_world(app)
        yield app
        app.store.dispose()

    def test_a_budget_stops_the_discount_inside_the_batch_and_trips_the_breaker(self, world: Ordo) -> None:
        from ordo.service.rules.backtest import backtest_draft
        from ordo.service.rules.versions import approve

        d = create_draft(world, AUTHOR, note="budget", text="满100减90",
                         breaker=BreakerBounds(max_discount_total_fen=20_000))  # fmt: skip
        backtest_draft(world, AUTHOR, d["id"], note="bt")
        if submit(world, AUTHOR, d["id"], note="go")["status"] != "approved":
            approve(world, APPROVER, d["id"], note="ok")
        publish(world, AUTHOR, d["id"], note="live")
        ids = [r.order_id for r in intake(world, [new_order(f"S-{i}", [("SKU-TEA", 1)]) for i in range(5)])]
        with world.store.uow(read_only=True) as uow:
            got = [uow.orders.get(str(i))["discount_fen"] for i in ids]  # type: ignore[index]
        assert got == [9_000, 9_000, 0, 0, 0]
        [trip] = check_breakers(world)
        assert trip.metric == "discount_total_fen"

    def test_freezes_are_stored_renewed_and_lifted(self, world: Ordo, clock: ManualClock) -> None:
        go_live(world, "当 订单金额 > 100 时 冻结 运营 撤单")
        intake(world, [new_order("F-1", [("SKU-TEA", 1)])])
        clock.advance(10)
        intake(world, [new_order("F-2", [("SKU-TEA", 1)])])
        [row] = freezes.list_freezes(world)
        assert (row["role"], row["permission"], row["in_force"]) == ("ops", "orders_cancel", True)
        assert row["last_signal_ns"] - row["since_ns"] == 10 * 1_000_000_000
        lifted = freezes.lift(world, Actor("root", AUTHOR.role), row["id"], note="checked")
        assert lifted["in_force"] is False and lifted["lifted_by"] == "root"
        with world.store.uow(read_only=True) as uow:
            assert uow.actions.open_freezes() == []

    def test_channels_and_deliveries_round_trip(self, world: Ordo) -> None:
        alerts.put_channel(world, "a", kind="feishu", target="https://open.feishu.cn/open-apis/bot/v2/hook/x",
                           secret="s3cret", roles=["ops"])  # fmt: skip
        alerts.put_channel(
            world, "a", kind="wecom", target="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
        )
        [c] = alerts.channels(world)
        assert c["kind"] == "wecom" and c["secret_set"] is False and c["target"].endswith("/send?…")
        go_live(world, "当 订单金额 > 100 时 通知 运营")
        intake(world, [new_order("N-1", [("SKU-TEA", 1)])])
        [d] = alerts.deliveries(world)
        assert d["status"] == "pending" and d["channel"] == "a" and d["order_id"]
        now = world.clock.now_ns()
        with world.store.uow() as uow:
            assert [r["id"] for r in uow.actions.due_deliveries(now, 10)] == [d["id"]]
            uow.actions.update_deliveries([d["id"]], {"status": "sent", "sent_at_ns": now})
            uow.commit()
        with world.store.uow(read_only=True) as uow:
            assert uow.actions.sent_since("a", now) == 1 and uow.actions.due_deliveries(now, 10) == []
        alerts.delete_channel(world, "a")
        assert alerts.channels(world) == []
