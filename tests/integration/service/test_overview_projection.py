"""The overview projection follows the outbox incrementally and always equals a recount
from scratch, on SQLite and on PostgreSQL; a new process reads it without rescanning."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from ordo.adapters.store.repositories.overview import OverviewRepository
from ordo.adapters.store.schema import overview as ot
from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.events import projector
from ordo.service.events.overview import snapshot
from ordo.service.orders.address_fix import AddressFix, correct_address
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.routing.decisions import reroute
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world

HOUR = 3600 * 10**9


@pytest.fixture(params=["sqlite_url", "pg_url"])
def store_app(request: pytest.FixtureRequest, clock: ManualClock) -> Any:
    app = make_app(request.getfixturevalue(request.param), clock)
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def _state(app: Ordo) -> tuple[dict[str, dict[str, int]], list[Any], list[Any]]:
    with app.store.uow(read_only=True) as uow:
        c = uow.connection
        counts = {d: {k: n for k, n in row.items() if n} for d, row in uow.overview.counts().items()}
        flow = sorted(tuple(r) for r in c.execute(sa.select(ot.overview_flow)))
        tags = sorted(tuple(r) for r in c.execute(sa.select(ot.order_tags)))
    return {d: row for d, row in counts.items() if row}, flow, tags


def _traffic(app: Ordo, clock: ManualClock, prefix: str) -> list[str]:
    orders = [
        dataclasses.replace(new_order(f"{prefix}-1"), tags=("vip", "gift"), promised_at_ns=T0 + 2 * HOUR),
        dataclasses.replace(
            new_order(f"{prefix}-2", channel="jd", province="上海市", city="上海市"), tags=("vip",)
        ),
        dataclasses.replace(new_order(f"{prefix}-3", channel="douyin"), promised_at_ns=T0 + 60 * 10**9),
        # More than the stock: held, no warehouse; tagged, so the tag index must follow its move.
        dataclasses.replace(new_order(f"{prefix}-4", [("SKU-RARE", 5)]), tags=("urgent",)),
    ]
    ids = [r.order_id for r in intake(app, orders)]
    assert all(ids)
    clock.advance(180)
    a, b, c, d = ids
    # 浙江 → 上海: the province counts and the tag index move with it.
    correct_address(app, d, AddressFix("上海市", "上海市", "浦东新区", "世纪大道 1 号"), actor="ops")
    at = clock.now_ns()
    steps = [Milestone.PICKED, Milestone.PACKED, Milestone.OUTBOUND, Milestone.DELIVERED]
    advance(app, [MilestoneUpdate(a, m, at + i, "wms") for i, m in enumerate(steps)])  # on time
    advance(app, [MilestoneUpdate(c, m, at + i, "sf") for i, m in enumerate(steps)])  # late
    with app.store.uow(read_only=True) as uow:
        moved_from = uow.orders.get(b)["warehouse_id"]  # type: ignore[index]
    again = reroute(app, b, reason="仓库检修", exclude=[moved_from])  # order.rerouted: from → to
    assert again["warehouse_ids"] and moved_from not in again["warehouse_ids"]
    [refused] = cancel(app, [a], reason="too late")  # delivered: refused, and a refusal writes nothing
    assert refused.outcome.value == "rejected"
    # A carrier reporting a return of goods that never left: refused and kept as an anomaly.
    [odd] = advance(app, [MilestoneUpdate(d, Milestone.RETURNED, at, "sf")])
    assert odd.outcome.value == "rejected"
    cancel(app, [b], reason="客户取消")
    return ids


def test_the_projection_equals_a_recount_after_orders_and_milestones(
    store_app: Ordo, clock: ManualClock
) -> None:
    projector.catch_up(store_app)  # an empty store: its cursor starts here
    _traffic(store_app, clock, "P")
    assert projector.catch_up(store_app) > 0
    followed = _state(store_app)
    assert projector.catch_up(store_app) == 0  # nothing new: nothing applied twice
    assert _state(store_app) == followed

    projector.rebuild(store_app)
    assert _state(store_app) == followed

    counts, flow, tags = followed
    assert counts["channel"] == {"tmall": 2, "jd": 1, "douyin": 1}
    assert counts["delivered"] == {"": 2} and counts["on_time"] == {"": 1}
    assert sum(counts["status"].values()) == 4 and counts["status"]["cancelled"] == 1
    assert sum(counts["problem_source"].values()) == 1
    assert [t[0] for t in tags] == ["gift", "urgent", "vip", "vip"]
    assert counts["province"] == {"浙江省": 2, "上海市": 2}
    assert [t[3] for t in tags if t[0] == "urgent"] == ["上海市"]
    assert sum(n for _, _, n in flow) == 4
    with store_app.store.uow(read_only=True) as uow:
        by_status = uow.orders.count_by_status()
    assert counts["status"] == by_status


def test_orders_bulk_loaded_outside_the_service_appear_after_a_rebuild(
    store_app: Ordo, clock: ManualClock
) -> None:
    ids = _traffic(store_app, clock, "B")  # no cursor yet: the first catch-up rebuilds
    projector.catch_up(store_app)
    with store_app.store.uow() as uow:
        uow.connection.execute(
            sa.update(sa.table("orders", sa.column("id"), sa.column("status")))
            .where(sa.column("id") == ids[2])
            .values(status="completed")
        )
        uow.commit()
    assert snapshot(store_app)["by_status"].get("completed") is None  # not an event: not seen
    projector.rebuild(store_app)
    assert snapshot(store_app)["by_status"]["completed"] == 1


def test_a_new_process_reads_the_persisted_figures_without_scanning(
    store_app: Ordo, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _traffic(store_app, clock, "N")
    first = snapshot(store_app)
    fresh = make_app(str(store_app.store.engine.url.render_as_string(hide_password=False)), clock)
    try:
        for scan in ("scan_counts", "scan_deliveries", "scan_anomalies", "scan_flow", "fill_tags"):
            monkeypatch.setattr(
                OverviewRepository, scan, lambda *a, **k: pytest.fail("a started store was rescanned")
            )
        again = snapshot(fresh)
    finally:
        fresh.store.dispose()
    assert again == first
    assert again["total_orders"] == 4 and again["by_warehouse"] and again["flow"]["series"]


def test_projectors_in_two_processes_at_once_apply_each_event_once(
    store_app: Ordo, clock: ManualClock
) -> None:
    projector.catch_up(store_app)
    for n in range(3):
        _traffic(store_app, clock, f"C{n}")
    url = store_app.store.engine.url.render_as_string(hide_password=False)
    others = [make_app(url, clock) for _ in range(2)]
    projector_batch = projector.BATCH
    try:
        projector.BATCH = 4  # many small turns, so the two interleave
        with ThreadPoolExecutor(2) as pool:
            applied = sum(pool.map(projector.catch_up, others))
    finally:
        projector.BATCH = projector_batch
        for other in others:
            other.store.dispose()
    followed = _state(store_app)
    projector.rebuild(store_app)
    assert _state(store_app) == followed
    assert applied > 0 and followed[0]["channel"]["tmall"] == 6
