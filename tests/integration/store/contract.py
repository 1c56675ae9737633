"""The storage contract: what every backend must do, tested through the store's public API only.

``StoreContract`` is abstract (pytest does not collect it): each backend's test module
subclasses it and provides the ``url`` of a database without rows, the ``empty_url`` of
one without even a schema, and the ``unreachable_url`` of a server that is not there.
The same contract then drives the service layer end to end (intake → advance →
cancel / outbound) on that backend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from ordo.adapters.store import Store, open_store
from ordo.adapters.store.engine import MIGRATIONS
from ordo.adapters.store.repositories.orders import OrderFilter
from ordo.adapters.store.repositories.outbox import Outbox
from ordo.adapters.store.repositories.stock import Delta, StockRepository
from ordo.adapters.store.schema import core as t
from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.errors import (
    StoreConflict,
    StoreError,
    StoreUnavailable,
    ValidationError,
)
from ordo.domain.events import Event
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate, Outcome, Status, derive_status
from ordo.domain.orders.model import (
    AcceptedOrder,
    Address,
    Carrier,
    Customer,
    CustomerTier,
    Line,
    Order,
    Stock,
)
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, STOCK, T0, WAREHOUSES, make_app, new_order, seed_tiny_world

M = Milestone
S = t.stock.c


def accepted(
    oid: str,
    external_id: str | None = None,
    *,
    channel: str = "tmall",
    status: str = "processing",
    warehouse_id: str | None = "WH-SH",
    customer_ref: str = "C-1",
    province: str = "浙江省",
    at_ns: int = T0,
    lines: tuple[Line, ...] = (Line("SKU-TEA", 2, 12_800), Line("SKU-CUP", 1, 3_900, frozenset({"fragile"}))),
) -> AcceptedOrder:
    order = Order(
        id=oid,
        channel=channel,
        external_id=external_id or f"EXT-{oid}",
        customer_ref=customer_ref,
        ship_to=Address(
            province, "杭州市", "西湖区", "文三路 100 号", "330106", 30.27, 120.15, "张三", "13812341234"
        ),
        lines=lines,
        placed_at_ns=at_ns,
        paid_at_ns=at_ns,
        tags=("加急", "vip"),
        remark="请尽快发货",
    )
    return AcceptedOrder(order, status, warehouse_id, None if warehouse_id else "no_stock", at_ns)


def migration_heads() -> set[str]:
    """Every head in the migration scripts (one: the chain is linear, ``test_migrations`` keeps it so)."""
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def applied_heads(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def created_steps(a: AcceptedOrder) -> list[tuple[str, Milestone, int, str]]:
    return [(a.order.id, M.CREATED, a.order.placed_at_ns, a.order.channel)]


class StoreContract:
    """Subclass with ``url``, ``empty_url`` and ``unreachable_url`` fixtures."""

    @pytest.fixture
    def url(self) -> str:
        """A database with no rows in it (its schema may already be there)."""
        raise NotImplementedError

    @pytest.fixture
    def empty_url(self) -> str:
        """A database with nothing in it, not even the schema."""
        raise NotImplementedError

    @pytest.fixture
    def unreachable_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def store(self, url: str) -> Iterator[Store]:
        store = open_store(url)
        yield store
        store.dispose()

    @pytest.fixture
    def seeded(self, store: Store) -> Store:
        with store.uow() as uow:
            uow.catalog.save_warehouses(WAREHOUSES)
            uow.catalog.save_skus(SKUS)
            uow.stock.set_levels(STOCK)
            uow.commit()
        return store

    @pytest.fixture
    def app(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        ordo = make_app(url, clock)
        yield ordo
        ordo.store.dispose()

    @pytest.fixture
    def world(self, app: Ordo) -> Ordo:
        seed_tiny_world(app)
        return app

    # helpers -----------------------------------------------------------------
    @staticmethod
    def level(store: Store, warehouse_id: str, sku: str) -> Stock:
        with store.uow(read_only=True) as uow:
            return uow.stock.get([(warehouse_id, sku)])[(warehouse_id, sku)]

    @staticmethod
    def events(store: Store, **filters: object) -> list[dict[str, object]]:
        with store.uow(read_only=True) as uow:
            return uow.outbox.after(0, limit=10_000, **filters)  # type: ignore[arg-type]

    @staticmethod
    def count(store: Store, table: str) -> int:
        with store.uow(read_only=True) as uow:
            return uow.catalog.count(table)

    # migrations ----------------------------------------------------------------
    def test_migrations_bring_an_empty_database_to_head_and_running_them_again_changes_nothing(
        self, empty_url
    ):
        url = empty_url
        store = open_store(url, migrate=False)
        try:
            assert store.revision() is None
            store.migrate()
            assert applied_heads(store) == migration_heads()
            with store.uow() as uow:
                uow.catalog.set_meta("k", "v")
                uow.commit()
            store.migrate()
            again = open_store(url)
            assert applied_heads(again) == migration_heads()
            with again.uow(read_only=True) as uow:
                assert uow.catalog.get_meta("k") == "v"
            again.dispose()
        finally:
            store.dispose()

    def test_the_migrated_schema_has_every_table_the_code_declares(self, store):
        with store.engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
        assert names == set(t.metadata.tables) | {"alembic_version"}

    # catalog -------------------------------------------------------------------
    def test_catalog_entries_read_back_as_they_were_saved(self, store):
        carrier = Carrier(
            "SF", "顺丰", frozenset({"上海市", "浙江省"}), frozenset({"cold_chain"}), 5_000, 1_200, 300
        )
        customer = Customer("C-9", "李四", CustomerTier.DIAMOND, "13900001111")
        with store.uow() as uow:
            uow.catalog.save_warehouses(WAREHOUSES)
            uow.catalog.save_skus(SKUS)
            uow.catalog.save_carriers([carrier])
            uow.catalog.save_customers([customer])
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.catalog.warehouses() == sorted(WAREHOUSES, key=lambda w: w.id)
            assert uow.catalog.skus() == sorted(SKUS, key=lambda s: s.sku)
            assert uow.catalog.carriers() == [carrier]
            assert uow.catalog.customers(["C-9", "C-404"]) == {"C-9": customer}
            assert uow.catalog.count("skus") == len(SKUS)

    def test_saving_an_entry_again_replaces_it(self, store):
        with store.uow() as uow:
            uow.catalog.save_warehouses(WAREHOUSES)
            uow.catalog.save_warehouses([dataclasses.replace(WAREHOUSES[0], name="新名字", daily_capacity=7)])
            uow.commit()
        with store.uow(read_only=True) as uow:
            got = {w.id: w for w in uow.catalog.warehouses()}
        assert len(got) == len(WAREHOUSES)
        assert got[WAREHOUSES[0].id].name == "新名字" and got[WAREHOUSES[0].id].daily_capacity == 7

    def test_known_skus_and_sku_listing_filter_by_what_exists(self, store):
        with store.uow() as uow:
            uow.catalog.save_skus(SKUS)
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.catalog.known_skus(["SKU-TEA", "SKU-NOPE", "SKU-TEA", "SKU-GAS"]) == {
                "SKU-TEA",
                "SKU-GAS",
            }
            assert uow.catalog.known_skus([]) == set()
            assert [s.sku for s in uow.catalog.skus(category="tea")] == ["SKU-TEA"]
            assert len(uow.catalog.skus(limit=2)) == 2

    def test_a_warehouse_can_be_deactivated_and_an_unknown_one_is_reported(self, store):
        with store.uow() as uow:
            uow.catalog.save_warehouses(WAREHOUSES)
            assert uow.catalog.set_warehouse_active("WH-BJ", False) is True
            assert uow.catalog.set_warehouse_active("WH-NOPE", False) is False
            uow.commit()
        with store.uow(read_only=True) as uow:
            active = {w.id: w.active for w in uow.catalog.warehouses()}
        assert active == {"WH-BJ": False, "WH-GZ": True, "WH-SH": True}

    def test_metadata_is_a_replaceable_key_value_store(self, store):
        with store.uow() as uow:
            assert uow.catalog.get_meta("world") is None
            uow.catalog.set_meta("world", "tiny")
            uow.catalog.set_meta("world", "小世界")
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.catalog.get_meta("world") == "小世界"

    # stock ---------------------------------------------------------------------
    def test_stock_levels_read_back_and_page_by_warehouse_and_sku(self, seeded):
        with seeded.uow(read_only=True) as uow:
            assert uow.stock.get([("WH-BJ", "SKU-RARE")]) == {
                ("WH-BJ", "SKU-RARE"): Stock("WH-BJ", "SKU-RARE", 5, 0, 1)
            }
            pages, after = [], None
            while page := uow.stock.query(after=after, limit=3):
                pages.append(page)
                after = (page[-1].warehouse_id, page[-1].sku)
            assert [len(p) for p in pages] == [3, 3, 2]
            flat = [(s.warehouse_id, s.sku) for p in pages for s in p]
            assert flat == sorted((s.warehouse_id, s.sku) for s in STOCK)
            assert [s.sku for s in uow.stock.query(warehouse_id="WH-GZ")] == ["SKU-CUP", "SKU-GAS", "SKU-TEA"]
            assert [s.warehouse_id for s in uow.stock.query(sku="SKU-TEA")] == ["WH-BJ", "WH-GZ", "WH-SH"]
            assert uow.stock.totals() == {"on_hand": sum(s.on_hand for s in STOCK), "reserved": 0}

    def test_low_stock_lists_rows_at_or_below_their_safety_level(self, seeded):
        with seeded.uow() as uow:
            uow.stock.set_levels([Stock("WH-SH", "SKU-CUP", 3, 1, 2)])
            uow.commit()
        with seeded.uow(read_only=True) as uow:
            assert [(s.warehouse_id, s.sku) for s in uow.stock.query(low_only=True)] == [("WH-SH", "SKU-CUP")]

    def test_lock_returns_every_warehouse_row_of_the_skus_in_key_order(self, seeded):
        with seeded.uow() as uow:
            rows = uow.stock.lock(["SKU-TEA", "SKU-CUP", "SKU-TEA"])
        keys = [(s.warehouse_id, s.sku) for s in rows]
        assert keys == sorted(keys)
        assert set(keys) == {(s.warehouse_id, s.sku) for s in STOCK if s.sku in ("SKU-TEA", "SKU-CUP")}

    def test_reserve_release_and_consume_move_the_levels(self, seeded):
        with seeded.uow() as uow:
            uow.stock.reserve(
                [Delta("WH-SH", "SKU-TEA", 3), Delta("WH-SH", "SKU-TEA", 2), Delta("WH-GZ", "SKU-CUP", 4)]
            )
            uow.commit()
        assert self.level(seeded, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 100, 5)
        with seeded.uow() as uow:
            uow.stock.release([Delta("WH-SH", "SKU-TEA", 1)])
            uow.stock.consume([Delta("WH-SH", "SKU-TEA", 4), Delta("WH-GZ", "SKU-CUP", 4)])
            uow.commit()
        assert self.level(seeded, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 96, 0)
        assert self.level(seeded, "WH-GZ", "SKU-CUP") == Stock("WH-GZ", "SKU-CUP", 16, 0)

    def test_reserving_beyond_what_is_available_fails_whole_and_changes_nothing(self, seeded):
        with pytest.raises(StoreConflict), seeded.uow() as uow:
            # The first delta fits; the second eats into safety stock (5 on hand, 1 safety).
            uow.stock.reserve([Delta("WH-BJ", "SKU-TEA", 1), Delta("WH-BJ", "SKU-RARE", 5)])
            uow.commit()
        assert self.level(seeded, "WH-BJ", "SKU-TEA").reserved == 0
        assert self.level(seeded, "WH-BJ", "SKU-RARE").reserved == 0
        with seeded.uow() as uow:
            uow.stock.reserve([Delta("WH-BJ", "SKU-RARE", 4)])  # exactly what is available
            uow.commit()
        assert self.level(seeded, "WH-BJ", "SKU-RARE").available == 0

    def test_reserving_a_row_that_does_not_exist_fails(self, seeded):
        with pytest.raises(StoreConflict), seeded.uow() as uow:
            uow.stock.reserve([Delta("WH-BJ", "SKU-GAS", 1)])

    @pytest.mark.parametrize("operation", ["release", "consume"])
    def test_releasing_or_consuming_more_than_is_reserved_fails(self, seeded, operation):
        with seeded.uow() as uow:
            uow.stock.reserve([Delta("WH-SH", "SKU-TEA", 2)])
            uow.commit()
        with pytest.raises(StoreConflict), seeded.uow() as uow:
            getattr(uow.stock, operation)([Delta("WH-SH", "SKU-TEA", 3)])
        assert self.level(seeded, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 100, 2)

    def test_the_check_constraint_stops_reserved_beyond_on_hand_whatever_the_code_does(self, seeded):
        with pytest.raises(StoreError), seeded.uow() as uow:
            uow.connection.execute(
                sa.update(t.stock)
                .where(S.warehouse_id == "WH-SH", S.sku == "SKU-CUP")
                .values(reserved=S.on_hand + 1)
            )
        with pytest.raises(StoreError), seeded.uow() as uow:
            uow.stock.set_levels([Stock("WH-SH", "SKU-CUP", on_hand=1, reserved=2)])
        with pytest.raises(StoreError), seeded.uow() as uow:
            uow.stock.set_levels([Stock("WH-SH", "SKU-CUP", on_hand=1, reserved=-1)])
        assert self.level(seeded, "WH-SH", "SKU-CUP") == Stock("WH-SH", "SKU-CUP", 20, 0)

    # orders --------------------------------------------------------------------
    def test_an_order_reads_back_with_its_lines_and_milestones(self, store):
        a = accepted("OR01")
        with store.uow() as uow:
            uow.orders.add([a], [*created_steps(a), ("OR01", M.PAID, T0 + 5, "tmall")])
            uow.commit()
        with store.uow(read_only=True) as uow:
            got = uow.orders.get("OR01")
            assert uow.orders.get("OR-NOPE") is None
        assert got is not None
        assert got["external_id"] == "EXT-OR01" and got["status"] == "processing"
        assert got["tags"] == ["加急", "vip"] and got["remark"] == "请尽快发货"
        assert got["total_fen"] == a.order.total_fen == 2 * 12_800 + 3_900
        assert [(line["sku"], line["quantity"], line["flags"]) for line in got["lines"]] == [
            ("SKU-TEA", 2, []),
            ("SKU-CUP", 1, ["fragile"]),
        ]
        assert [(m["milestone"], m["at_ns"], m["source"]) for m in got["milestones"]] == [
            ("created", T0, "tmall"),
            ("paid", T0 + 5, "tmall"),
        ]

    def test_milestones_come_in_time_order_with_lifecycle_order_breaking_ties(self, store):
        a = accepted("OR01")
        with store.uow() as uow:
            uow.orders.add([a], created_steps(a))
            uow.orders.add_milestones(
                [
                    ("OR01", M.DELIVERED, T0 + 9, "sf"),
                    ("OR01", M.ROUTED, T0, "ordo"),
                    ("OR01", M.PAID, T0, "tmall"),
                ],
                T0 + 10,
            )
            uow.commit()
        with store.uow(read_only=True) as uow:
            steps = [m["milestone"] for m in uow.orders.milestones("OR01")]
        assert steps == ["created", "paid", "routed", "delivered"]

    def test_existing_finds_orders_by_channel_and_external_id(self, store):
        with store.uow() as uow:
            uow.orders.add([accepted("OR01", "X-1"), accepted("OR02", "X-1", channel="jd")], [])
            uow.commit()
        with store.uow(read_only=True) as uow:
            found = uow.orders.existing(
                [("tmall", "X-1"), ("jd", "X-1"), ("douyin", "X-1"), ("tmall", "X-2")]
            )
            assert uow.orders.existing([]) == {}
        assert found == {("tmall", "X-1"): "OR01", ("jd", "X-1"): "OR02"}

    def test_the_same_channel_order_cannot_be_stored_twice(self, store):
        with store.uow() as uow:
            uow.orders.add([accepted("OR01", "X-1")], [])
            uow.commit()
        with pytest.raises(StoreConflict) as info, store.uow() as uow:
            uow.orders.add([accepted("OR02", "X-1")], [])
        assert isinstance(info.value.__cause__, sa.exc.IntegrityError)  # wrapped, never leaked
        with store.uow(read_only=True) as uow:
            assert uow.orders.get("OR02") is None

    def test_progress_reports_the_recorded_steps_and_quantities_per_sku(self, store):
        a = accepted("OR01", lines=(Line("SKU-TEA", 2, 100), Line("SKU-TEA", 1, 0, frozenset({"gift"}))))
        with store.uow() as uow:
            uow.orders.add([a], [*created_steps(a), ("OR01", M.ROUTED, T0, "ordo")])
            progress = uow.orders.progress(["OR01", "OR-NOPE", "OR01"])
            assert uow.orders.quantities(["OR01"]) == {"OR01": {"SKU-TEA": 3}}
        assert set(progress) == {"OR01"}
        p = progress["OR01"]
        assert (p.channel, p.status, p.warehouse_id, p.steps) == (
            "tmall",
            "processing",
            "WH-SH",
            {M.CREATED, M.ROUTED},
        )

    def test_status_changes_and_anomalies_are_stored(self, store):
        with store.uow() as uow:
            uow.orders.add([accepted("OR01")], [])
            uow.orders.set_status([("OR01", "shipped")], T0 + 1)
            update = MilestoneUpdate("OR01", M.CANCELLED, T0, "shop", "买家取消")
            uow.orders.add_anomalies([(update, "already_shipped", "x" * 600)], T0 + 2)
            uow.commit()
        with store.uow(read_only=True) as uow:
            got = uow.orders.get("OR01")
            [anomaly] = uow.orders.anomalies("OR01")
            assert uow.orders.count_by_status() == {"shipped": 1}
        assert got is not None and got["status"] == "shipped" and got["updated_at_ns"] == T0 + 1
        assert anomaly["code"] == "already_shipped" and anomaly["milestone"] == "cancelled"
        assert len(anomaly["message"]) == 500  # clipped to the column

    def test_search_pages_newest_first_with_a_cursor_and_filters(self, store):
        rows = [
            accepted(
                f"OR{i:02d}",
                channel=("tmall", "jd")[i % 2],
                status=("paid", "shipped")[i % 3 == 0],
                warehouse_id=("WH-SH", "WH-BJ")[i % 2],
                customer_ref=f"C-{i % 3}",
                province=("浙江省", "北京市")[i % 2],
                at_ns=T0 + i,
            )
            for i in range(1, 11)
        ]
        with store.uow() as uow:
            uow.orders.add(rows, [])
            uow.commit()
        with store.uow(read_only=True) as uow:
            seen, cursor = [], None
            while page := uow.orders.search(OrderFilter(), after_id=cursor, limit=4):
                seen.append([r["id"] for r in page])
                cursor = page[-1]["id"]
            assert seen == [
                ["OR10", "OR09", "OR08", "OR07"],
                ["OR06", "OR05", "OR04", "OR03"],
                ["OR02", "OR01"],
            ]
            ids = lambda **f: [r["id"] for r in uow.orders.search(OrderFilter(**f))]  # noqa: E731
            assert ids(channel="jd") == ["OR09", "OR07", "OR05", "OR03", "OR01"]
            assert ids(status="shipped") == ["OR09", "OR06", "OR03"]
            assert ids(warehouse_id="WH-SH", customer_ref="C-1") == ["OR10", "OR04"]
            assert ids(province="北京市", status="shipped") == ["OR09", "OR03"]
            assert ids(created_from_ns=T0 + 3, created_to_ns=T0 + 6) == ["OR05", "OR04", "OR03"]
            assert uow.orders.open_ids(limit=3) == ["OR01", "OR02", "OR03"]

    # outbox --------------------------------------------------------------------
    def test_the_outbox_hands_out_events_in_append_order_after_a_cursor(self, store):
        batch = [
            Event(ev.ORDER_CREATED, "OR01", T0, {"城市": "杭州", "n": [1, 2]}, channel="tmall"),
            Event(ev.MILESTONE_RECORDED, "OR01", T0 + 1, {"milestone": "paid"}, channel="tmall"),
            Event(ev.ORDER_CREATED, "OR02", T0 + 2, {}, channel="jd"),
            Event(ev.UPDATE_REJECTED, "OR02", T0 + 3, {"code": "not_paid"}, channel="jd"),
        ]
        with store.uow() as uow:
            assert uow.outbox.last_id() == 0
            assert uow.outbox.append(batch[:2]) == 2
            assert uow.outbox.append(batch[2:]) == 2
            assert uow.outbox.append([]) == 0
            uow.commit()
        with store.uow(read_only=True) as uow:
            everything = uow.outbox.after(0)
            ids = [e["id"] for e in everything]
            assert ids == sorted(ids) and len(set(ids)) == 4
            assert [(e["type"], e["order_id"], e["at_ns"]) for e in everything] == [
                (e.type, e.order_id, e.at_ns) for e in batch
            ]
            assert everything[0]["payload"] == {"城市": "杭州", "n": [1, 2]}
            assert uow.outbox.last_id() == ids[-1]
            assert [e["id"] for e in uow.outbox.after(ids[1])] == ids[2:]
            assert uow.outbox.after(ids[-1]) == []
            assert [e["id"] for e in uow.outbox.after(0, limit=2)] == ids[:2]
            assert [e["order_id"] for e in uow.outbox.after(0, channel="jd")] == ["OR02", "OR02"]
            assert [e["type"] for e in uow.outbox.for_order("OR01")] == [
                ev.ORDER_CREATED,
                ev.MILESTONE_RECORDED,
            ]
            created = uow.outbox.after(0, types=[ev.ORDER_CREATED])
            assert [e["order_id"] for e in created] == ["OR01", "OR02"]
            assert uow.outbox.after(0, order_id="OR02", types=[ev.UPDATE_REJECTED])[0]["payload"] == {
                "code": "not_paid"
            }

    # access keys and idempotency ----------------------------------------------
    def test_api_keys_are_listed_without_their_hash_and_revoked_once(self, store):
        with store.uow() as uow:
            uow.access.add_key("k1", "shop", "integration", "a" * 64, T0)
            uow.access.add_key("k0", "ops", "ops", "b" * 64, T0)
            uow.commit()
        with store.uow() as uow:
            assert uow.access.revoke_key("k1", T0 + 1) is True
            assert uow.access.revoke_key("k1", T0 + 2) is False
            assert uow.access.revoke_key("nope", T0 + 2) is False
            uow.commit()
        with store.uow(read_only=True) as uow:
            keys = uow.access.keys()
            key = uow.access.key("k1")
            assert uow.access.key("nope") is None
        assert [k["id"] for k in keys] == ["k0", "k1"]
        assert all("key_hash" not in k for k in keys)
        assert key is not None and key["key_hash"] == "a" * 64 and key["revoked_at_ns"] == T0 + 1

    def test_an_idempotency_key_remembers_its_response_once(self, store):
        response = {"results": [{"order_id": "OR01", "status": "已付款"}]}
        with store.uow() as uow:
            assert uow.access.idempotent("idem-1") is None
            uow.access.remember("idem-1", "h" * 64, 201, response, T0)
            uow.commit()
        with store.uow(read_only=True) as uow:
            got = uow.access.idempotent("idem-1")
        assert got is not None
        assert (got["request_hash"], got["status_code"], got["response"]) == ("h" * 64, 201, response)
        with pytest.raises(StoreConflict), store.uow() as uow:
            uow.access.remember("idem-1", "i" * 64, 200, {}, T0 + 1)

    # units of work and errors --------------------------------------------------
    def test_an_exception_inside_a_unit_of_work_rolls_everything_back_and_passes_through(self, seeded):
        with pytest.raises(ZeroDivisionError), seeded.uow() as uow:
            uow.orders.add([accepted("OR01")], created_steps(accepted("OR01")))
            uow.stock.reserve([Delta("WH-SH", "SKU-TEA", 1)])
            uow.outbox.append([Event(ev.ORDER_CREATED, "OR01", T0)])
            _ = 1 / 0
        assert (
            self.count(seeded, "orders")
            == self.count(seeded, "milestones")
            == self.count(seeded, "events")
            == 0
        )
        assert self.level(seeded, "WH-SH", "SKU-TEA").reserved == 0

    def test_leaving_a_unit_of_work_without_commit_rolls_back(self, store):
        with store.uow() as uow:
            uow.catalog.set_meta("k", "v")
        with store.uow(read_only=True) as uow:
            assert uow.catalog.get_meta("k") is None

    def test_uncommitted_writes_are_invisible_to_a_reader(self, store):
        with store.uow() as writer:
            writer.catalog.set_meta("k", "v")
            with store.uow(read_only=True) as reader:
                assert reader.catalog.get_meta("k") is None
            writer.commit()
        with store.uow(read_only=True) as reader:
            assert reader.catalog.get_meta("k") == "v"

    def test_an_unreachable_database_is_reported_as_unavailable(self, unreachable_url):
        with pytest.raises(StoreUnavailable) as info:
            open_store(unreachable_url)
        assert info.value.code == "store_unavailable" and info.value.http_status == 503
        store = Store(unreachable_url)
        with pytest.raises(StoreUnavailable), store.uow():
            pass
        store.dispose()

    def test_a_driver_error_inside_a_unit_of_work_comes_out_as_a_store_error(self, store):
        with pytest.raises(StoreError) as info, store.uow() as uow:
            uow.connection.execute(sa.text("SELECT * FROM no_such_table"))
        assert not isinstance(info.value, StoreConflict)  # a mistake is not a race: never retried
        assert isinstance(info.value.__cause__, sa.exc.DBAPIError)

    # the service layer, end to end on this backend ----------------------------
    def test_intake_ships_from_the_nearest_warehouse_and_reserves_in_the_same_transaction(self, world):
        [result] = intake(world, [new_order("T-1", [("SKU-TEA", 2), ("SKU-CUP", 1)])])
        assert result.outcome is IntakeOutcome.CREATED
        assert result.warehouse_id == "WH-SH"  # Hangzhou is nearest to Shanghai
        assert result.status == Status.PROCESSING
        assert self.level(world.store, "WH-SH", "SKU-TEA").reserved == 2
        assert self.level(world.store, "WH-SH", "SKU-CUP").reserved == 1
        with world.store.uow(read_only=True) as uow:
            order = uow.orders.get(result.order_id)
        assert order is not None and order["warehouse_id"] == "WH-SH" and order["lat"] is not None
        assert {m["milestone"] for m in order["milestones"]} == {"created", "paid", "stock_locked", "routed"}
        [event] = self.events(world.store)
        assert event["type"] == ev.ORDER_CREATED and event["order_id"] == result.order_id
        assert event["payload"]["warehouse_id"] == "WH-SH" and event["payload"]["status"] == "processing"

    def test_an_order_no_warehouse_can_fill_is_held_without_touching_stock(self, world):
        # 5 on hand with 1 safety: four single units can be promised, the fifth cannot.
        results = intake(world, [new_order(f"R-{i}", [("SKU-RARE", 1)]) for i in range(5)])
        assert [r.warehouse_id for r in results] == ["WH-BJ"] * 4 + [None]
        held = results[-1]
        assert (held.outcome, held.status, held.hold_reason) == (IntakeOutcome.CREATED, "paid", "no_stock")
        assert self.level(world.store, "WH-BJ", "SKU-RARE") == Stock("WH-BJ", "SKU-RARE", 5, 4, 1)

    def test_an_unpaid_order_waits_for_payment(self, world):
        [result] = intake(world, [new_order("U-1", paid=False)])
        assert result.status == Status.PENDING_PAYMENT and result.warehouse_id == "WH-SH"

    def test_duplicates_by_channel_and_external_id_are_caught_within_and_across_batches(self, world):
        first = intake(world, [new_order("D-1"), new_order("D-1"), new_order("D-1", channel="jd")])
        assert [r.outcome for r in first] == [
            IntakeOutcome.CREATED,
            IntakeOutcome.DUPLICATE,
            IntakeOutcome.CREATED,
        ]
        again = intake(world, [new_order("D-1"), new_order("D-2")])
        assert [r.outcome for r in again] == [IntakeOutcome.DUPLICATE, IntakeOutcome.CREATED]
        assert again[0].order_id == first[0].order_id
        assert self.count(world.store, "orders") == 3
        assert len(self.events(world.store, types=[ev.ORDER_CREATED])) == 3
        assert self.level(world.store, "WH-SH", "SKU-TEA").reserved == 3

    def test_invalid_orders_are_rejected_one_by_one_or_refuse_the_whole_batch(self, world):
        bad = new_order("V-2", [("SKU-NOPE", 1)])
        mixed = intake(world, [new_order("V-1"), bad], field_prefix="orders")
        assert [r.outcome for r in mixed] == [IntakeOutcome.CREATED, IntakeOutcome.REJECTED]
        assert (
            mixed[1].error is not None
            and mixed[1].error.as_dict()["details"]["field"] == "orders[1].lines[0].sku"
        )
        with pytest.raises(ValidationError):
            intake(world, [new_order("V-3"), bad], all_or_nothing=True)
        assert self.count(world.store, "orders") == 1

    def test_advance_records_out_of_order_updates_and_refuses_impossible_ones_as_anomalies(
        self, world, clock
    ):
        [order] = intake(world, [new_order("A-1")])
        oid = order.order_id
        clock.advance(60)
        results = advance(
            world,
            [
                MilestoneUpdate(oid, M.DELIVERED, T0 + 50, "sf"),
                MilestoneUpdate(oid, M.PACKED, T0 + 10, "wms"),
                MilestoneUpdate(oid, M.PACKED, T0 + 11, "wms"),
                MilestoneUpdate(oid, M.CANCELLED, T0 + 55, "shop"),
                MilestoneUpdate("OR-NOPE", M.PICKED, T0, "wms"),
            ],
        )
        assert [r.outcome for r in results] == [
            Outcome.RECORDED,
            Outcome.RECORDED,
            Outcome.DUPLICATE,
            Outcome.REJECTED,
            Outcome.REJECTED,
        ]
        assert results[3].error is not None and results[3].error.code == "already_shipped"
        assert results[4].error is not None and results[4].error.code == "order_not_found"
        with world.store.uow(read_only=True) as uow:
            stored = uow.orders.get(oid)
            anomalies = uow.orders.anomalies(oid)
            assert [a["code"] for a in uow.orders.anomalies("OR-NOPE")] == ["order_not_found"]
        assert stored is not None and stored["status"] == Status.DELIVERED
        assert stored["status"] == derive_status(Milestone(m["milestone"]) for m in stored["milestones"])
        assert [a["code"] for a in anomalies] == ["already_shipped"]
        kinds = [(e["type"], e["payload"].get("milestone")) for e in self.events(world.store, order_id=oid)]
        assert kinds == [
            (ev.ORDER_CREATED, None),
            (ev.MILESTONE_RECORDED, "delivered"),
            (ev.MILESTONE_RECORDED, "packed"),
            (ev.UPDATE_REJECTED, "cancelled"),
        ]
        delivered = self.events(world.store, order_id=oid)[1]["payload"]
        assert (delivered["previous_status"], delivered["status"]) == ("processing", "delivered")

    def test_cancelling_releases_the_reservation_once(self, world):
        [order] = intake(world, [new_order("C-1", [("SKU-TEA", 3)])])
        [first] = cancel(world, [order.order_id], reason="买家取消")
        [second] = cancel(world, [order.order_id], reason="again")
        assert (first.outcome, first.status) == (Outcome.RECORDED, Status.CANCELLED)
        assert second.outcome is Outcome.DUPLICATE
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 100, 0)
        [picked] = advance(world, [MilestoneUpdate(order.order_id, M.PICKED, T0, "wms")])
        assert picked.error is not None and picked.error.code == "order_cancelled"

    def test_cancelling_a_held_order_releases_nothing(self, world):
        intake(world, [new_order(f"R-{i}", [("SKU-RARE", 1)]) for i in range(4)])
        [held] = intake(world, [new_order("R-held", [("SKU-RARE", 1)])])
        assert held.warehouse_id is None
        [result] = cancel(world, [held.order_id], reason="缺货")
        assert result.outcome is Outcome.RECORDED
        assert self.level(world.store, "WH-BJ", "SKU-RARE").reserved == 4

    def test_outbound_consumes_the_reservation_and_then_cancelling_is_refused(self, world):
        [order] = intake(world, [new_order("O-1", [("SKU-TEA", 2)])])
        oid = order.order_id
        results = advance(
            world,
            [
                MilestoneUpdate(oid, m, T0 + i, "wms")
                for i, m in enumerate([M.PICKED, M.PACKED, M.WAYBILL_ISSUED, M.OUTBOUND])
            ],
        )
        assert results[-1].status is Status.SHIPPED
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 98, 0)
        [refused] = cancel(world, [oid], reason="too late")
        assert refused.error is not None and refused.error.code == "already_shipped"
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 98, 0)
        advance(world, [MilestoneUpdate(oid, M.OUTBOUND, T0 + 9, "wms")])  # a duplicate consumes nothing
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 98, 0)

    def test_a_carrier_scan_before_the_outbound_report_consumes_the_reservation_once(self, world):
        [order] = intake(world, [new_order("O-2", [("SKU-TEA", 2)])])
        oid = order.order_id
        advance(world, [MilestoneUpdate(oid, M.DELIVERED, T0 + 5, "sf-express")])
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 98, 0)
        advance(world, [MilestoneUpdate(oid, M.OUTBOUND, T0 + 1, "wms")])  # the late WMS report
        assert self.level(world.store, "WH-SH", "SKU-TEA") == Stock("WH-SH", "SKU-TEA", 98, 0)

    def test_a_failed_intake_transaction_leaves_no_order_no_reservation_and_no_event(
        self, world, monkeypatch
    ):
        real_append = Outbox.append

        def append_then_fail(self: Outbox, events: object) -> int:
            real_append(self, events)  # type: ignore[arg-type]
            raise RuntimeError("crash after the events were written")

        monkeypatch.setattr(Outbox, "append", append_then_fail)
        with pytest.raises(RuntimeError):
            intake(world, [new_order("F-1", [("SKU-TEA", 1)])])
        assert self.events(world.store) == []
        assert self.count(world.store, "orders") == 0
        assert self.level(world.store, "WH-SH", "SKU-TEA").reserved == 0

    def test_a_failed_advance_transaction_leaves_no_milestone_no_stock_change_and_no_event(
        self, world, monkeypatch
    ):
        [order] = intake(world, [new_order("F-2", [("SKU-TEA", 1)])])
        before = self.events(world.store)
        real_append = Outbox.append

        def append_then_fail(self: Outbox, events: object) -> int:
            real_append(self, events)  # type: ignore[arg-type]
            raise RuntimeError("crash after the events were written")

        monkeypatch.setattr(Outbox, "append", append_then_fail)
        with pytest.raises(RuntimeError):
            cancel(world, [order.order_id], reason="x")
        assert self.events(world.store) == before
        assert self.level(world.store, "WH-SH", "SKU-TEA").reserved == 1
        with world.store.uow(read_only=True) as uow:
            progress = uow.orders.progress([order.order_id])[order.order_id]
        assert M.CANCELLED not in progress.steps and progress.status == "processing"

    def test_a_transaction_that_lost_a_race_is_retried_and_writes_once(self, world, monkeypatch):
        real_reserve = StockRepository.reserve
        calls = []

        def lose_the_first_race(self: StockRepository, deltas: object) -> None:
            calls.append(1)
            real_reserve(self, deltas)  # type: ignore[arg-type]
            if len(calls) == 1:
                raise StoreConflict("simulated lost race")

        monkeypatch.setattr(StockRepository, "reserve", lose_the_first_race)
        [result] = intake(world, [new_order("RACE-1", [("SKU-TEA", 1)])])
        assert result.outcome is IntakeOutcome.CREATED and len(calls) == 2
        assert self.count(world.store, "orders") == 1
        assert len(self.events(world.store)) == 1
        assert self.level(world.store, "WH-SH", "SKU-TEA").reserved == 1

    def test_the_held_list_knows_when_and_by_whom_each_order_was_last_held(self, world, clock):
        from ordo.service.orders import holds

        first, again = (r.order_id for r in intake(world, [new_order("HM-1"), new_order("HM-2")]))
        holds.hold(world, [first, again], reason="一", actor="api:lead")
        holds.release(world, again, actor="api:lead")
        clock.advance(3600)
        holds.hold(world, [again], reason="二", actor="api:ops")
        with world.store.uow(read_only=True) as uow:
            marks = uow.holds.hold_marks([first, again, "OR-NONE"])
            later = uow.holds.held(held_from_ns=T0 + 1800 * 10**9)
            earlier = uow.holds.held(held_to_ns=T0 + 1800 * 10**9)
        assert marks == {first: (T0, "api:lead"), again: (T0 + 3600 * 10**9, "api:ops")}
        assert [o["id"] for o in later] == [again]
        assert [o["id"] for o in earlier] == [first]

    def test_every_state_change_has_exactly_one_event(self, world, clock):
        results = intake(world, [new_order(f"E-{i}") for i in range(6)])
        ids = [r.order_id for r in results]
        clock.advance(1)
        advance(world, [MilestoneUpdate(oid, M.PICKED, T0, "wms") for oid in ids[:4]])
        cancel(world, ids[3:], reason="x")  # ids[3] is picked but not shipped: cancellable
        with world.store.uow(read_only=True) as uow:
            milestones = uow.connection.execute(
                sa.select(sa.func.count()).select_from(t.milestones)
            ).scalar_one()
        created = self.events(world.store, types=[ev.ORDER_CREATED])
        recorded = self.events(world.store, types=[ev.MILESTONE_RECORDED])
        assert len(created) == self.count(world.store, "orders") == 6
        # intake writes 4 steps per routed, paid order; each later step has its own event
        assert milestones == 4 * 6 + len(recorded) == 24 + 4 + 3
