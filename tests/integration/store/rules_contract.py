"""Rule governance through the store on one backend (subclassed per backend).

``RulesContract`` is abstract: a backend's test module subclasses it and provides ``url``,
a database without rows. It checks what SQL can get wrong: the state row the migration
creates, versions and revisions, the facts read back for backtests (they must equal the
facts :func:`ordo.rules.evaluation.facts.build_facts` derives from the same orders), live outcome
metrics and the breaker.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import polars as pl
import pytest
import sqlalchemy as sa

from ordo.adapters.store import columnar
from ordo.adapters.store.repositories.rules_history import HistoryFilter, count_orders, read_facts
from ordo.adapters.store.schema import core as t
from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Customer, CustomerTier, Line, LineFlag, Order
from ordo.rules.evaluation.facts import COLUMN_NAMES, build_facts
from ordo.service import rules as R
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, T0, make_app, new_order, seed_tiny_world

COMPARED = (
    "channel", "goods_amount_fen", "freight_fen", "order_amount_fen", "line_count", "item_count", "has_gift",
    "tags", "remark", "province", "city", "district", "placed_at_ns", "customer_tier", "weight_g",
    "ms_created_ns", "ms_paid_ns",
)  # fmt: skip
ANN, BOB = R.Actor("ann", Role.FINANCE), R.Actor("bob", Role.OPS)


def _orders() -> list[Order]:
    gift = Line("SKU-CUP", 1, 0, frozenset({LineFlag.GIFT}))
    return [
        dataclasses.replace(new_order("H-1", [("SKU-TEA", 2)]), tags=("urgent",), remark="请尽快"),
        dataclasses.replace(new_order("H-2", channel="jd", province="新疆维吾尔自治区", city="乌鲁木齐市")),
        dataclasses.replace(
            new_order("H-3", [("SKU-TEA", 1)], paid=False), lines=(Line("SKU-TEA", 1, 12_800), gift)
        ),
        dataclasses.replace(
            new_order("H-4", [("SKU-RARE", 1)], at_ns=T0 + 86_400 * 10**9), customer_ref="VIP"
        ),
    ]


class RulesContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def world(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        app = make_app(url, clock)
        seed_tiny_world(app)
        save_catalog(app, customers=[Customer("VIP", "钻石客户", CustomerTier.DIAMOND)])
        yield app
        app.store.dispose()

    def test_a_fresh_store_has_no_active_rules_and_a_state_row_at_revision_zero(self, world):
        out = R.history(world)
        assert out["state"]["revision"] == 0 and out["state"]["active_version"] is None
        assert out["versions"] == []
        assert world.caches.rulebook.active_rules_for({"order_id": "X"}).rules == ()

    def test_facts_read_back_for_a_backtest_equal_the_facts_of_the_orders(self, world, clock):
        orders = _orders()
        results = intake(world, orders)
        ids = [r.order_id for r in results]
        advance(world, [MilestoneUpdate(ids[0], Milestone.OUTBOUND, T0 + 5, "wms")])
        with world.store.uow(read_only=True) as uow:
            frame = read_facts(
                uow.connection, set(COLUMN_NAMES), HistoryFilter(), now_ns=clock.now_ns(), chunk=3
            )
        got = {r["order_id"]: r for r in frame.iter_rows(named=True)}
        customers = {"VIP": Customer("VIP", "钻石客户", CustomerTier.DIAMOND)}
        catalog = {s.sku: s for s in SKUS}
        for oid, order in zip(ids, orders, strict=True):
            want = build_facts(
                dataclasses.replace(order, id=oid),
                now_ns=clock.now_ns(),
                customer=customers.get(order.customer_ref),
                catalog=catalog,
            )
            row = got[oid]
            for col in COMPARED:
                assert row[col] == want[col], (oid, col)  # type: ignore[literal-required]
            assert sorted(row["skus"]) == sorted(want["skus"]) and sorted(row["categories"]) == sorted(
                want["categories"]
            )
        assert got[ids[0]]["ms_outbound_ns"] == T0 + 5 and got[ids[1]]["ms_outbound_ns"] is None
        assert got[ids[0]]["ms_routed_ns"] is not None

    def test_a_history_filter_selects_by_window_channel_and_province(self, world):
        intake(world, _orders())
        with world.store.uow(read_only=True) as uow:
            c = uow.connection
            assert count_orders(c, HistoryFilter()) == 4
            assert count_orders(c, HistoryFilter(channel="jd")) == 1
            assert count_orders(c, HistoryFilter(province="新疆")) == 1
            assert count_orders(c, HistoryFilter(placed_from_ns=T0 + 1)) == 1
            assert count_orders(c, HistoryFilter(placed_to_ns=T0 + 1, limit=2)) == 2
            assert read_facts(c, {"channel"}, HistoryFilter(limit=3), now_ns=0, chunk=2).height == 3

    def test_the_columnar_read_gives_the_same_facts_as_the_row_by_row_read(self, world, clock, monkeypatch):
        ids = [r.order_id for r in intake(world, _orders())]
        advance(world, [MilestoneUpdate(ids[0], Milestone.OUTBOUND, T0 + 5, "wms")])
        filters = [HistoryFilter(), HistoryFilter(channel="jd"), HistoryFilter(province="新疆"),
                   HistoryFilter(placed_to_ns=T0 + 1, limit=2), HistoryFilter(limit=3),
                   HistoryFilter(channel="jd' OR '1'='1"), HistoryFilter(province="新疆%' --")]  # fmt: skip

        def read_all() -> list[pl.DataFrame]:
            with world.store.uow(read_only=True) as uow:
                probe = columnar.read_frames(uow.connection, [(sa.select(t.orders.c.id), {"id": pl.String})])
                assert probe is None or probe[0].height == 4
                return [
                    read_facts(uow.connection, set(COLUMN_NAMES), f, now_ns=clock.now_ns()) for f in filters
                ]

        with world.store.uow(read_only=True) as uow:  # this backend has the columnar reader
            assert columnar.read_frames(uow.connection, [(sa.select(t.orders.c.id), {"id": pl.String})])
        fast = read_all()
        monkeypatch.setattr(columnar, "read_frames", lambda conn, queries: None)
        slow = read_all()
        assert [f.height for f in fast] == [4, 1, 1, 2, 3, 0, 0]  # quotes in a filter stay values
        for a, b in zip(fast, slow, strict=True):
            assert a.to_dicts() == b.to_dicts()

    def test_the_store_takes_writes_after_a_columnar_read_of_it(self, world):
        intake(world, _orders()[:2])
        with world.store.uow(read_only=True) as uow:
            assert read_facts(uow.connection, set(COLUMN_NAMES), HistoryFilter(), now_ns=0).height == 2
        # A second SQLite library in this process would have dropped our file locks here.
        assert all(r.order_id for r in intake(world, _orders()[2:]))
        with world.store.uow(read_only=True) as uow:
            assert count_orders(uow.connection, HistoryFilter()) == 4

    def test_publishing_freezes_versions_and_bumps_the_revision_other_processes_watch(self, world):
        intake(world, _orders())
        versions = []
        for text in ("满1000减10", '满1000减10\n当 订单金额 > 5000 时 标记 "大单"'):
            d = R.create_draft(world, ANN, note="n", text=text)
            R.backtest_draft(world, ANN, d["id"])
            R.submit(world, ANN, d["id"], note="self-serve")
            versions.append(R.publish(world, ANN, d["id"], note="go")["version"])
        assert versions == [1, 2]
        other = R.RuleBook(world.store)  # another process's cache
        snap = other.refresh_if_stale()
        R.rollback(world, BOB, 1, note="back")
        assert other.refresh_if_stale().revision > snap.revision
        assert other.snapshot().active.version == 1
        assert R.get_version(world, 2)["status"] == "retired"
        log = R.audit_log(world)
        assert [a["action"] for a in log][:2] == ["rollback", "publish"]

    def test_the_breaker_withdraws_a_canary_whose_exception_rate_is_past_its_bound(self, world, clock):
        d = R.create_draft(world, ANN, note="n", text="满1000减10")
        R.backtest_draft(world, ANN, d["id"])
        R.submit(world, ANN, d["id"], note="l1")
        R.publish(world, ANN, d["id"], note="v1")
        bounds = R.BreakerBounds(max_exception_rate=0.1, min_orders=3, watch_s=3600)
        d = R.create_draft(world, ANN, note="n", text="满1000减10\n当 渠道为京东 时 升级处理", breaker=bounds)
        R.backtest_draft(world, ANN, d["id"])
        R.approve(world, BOB, d["id"], note="ok")
        R.publish(world, BOB, d["id"], note="canary", canary=R.Canary(share=1.0))
        assert R.check_breakers(world) == []  # no orders yet
        facts = [
            dict(build_facts(dataclasses.replace(new_order(f"L{i}", channel="jd"), id=f"ORL{i}"), now_ns=T0))
            for i in range(4)
        ]
        with world.store.uow() as uow:
            decisions = R.apply_rules(world.caches.rulebook, uow, facts, clock.now_ns())
            uow.commit()
        assert {(d.version, d.canary, d.outcome.incident) for d in decisions} == {(2, True, True)}
        [trip] = R.check_breakers(world)
        assert (trip.version, trip.to_version, trip.metric) == (2, 1, "exception_rate")
        state = R.history(world)["state"]
        assert state["canary_version"] is None and state["active_version"] == 1
        assert R.check_breakers(world) == []

    def test_a_calm_watch_ends_after_its_window(self, world, clock):
        d = R.create_draft(world, ANN, note="n", text="满1000减10", breaker=R.BreakerBounds(watch_s=60))
        R.backtest_draft(world, ANN, d["id"])
        R.submit(world, ANN, d["id"], note="l1")
        R.publish(world, ANN, d["id"], note="v1")
        clock.advance(61)
        assert R.check_breakers(world) == []
        assert R.history(world)["state"]["watch_version"] is None
