"""Fixtures of the order-intelligence tests: an Ordo on each backend with a day of deliveries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.insight.periods import find_period
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world

H = 3_600 * 1_000_000_000
DAY = 24 * H


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    pg: str = request.getfixturevalue("pg_url")
    return pg


@pytest.fixture
def history(url: str, clock: ManualClock) -> Iterator[tuple[Ordo, dict[str, int]]]:
    """Five 上海 orders placed at T0 (they ship from 上海嘉定仓) and one 北京 order (jd); four 上海
    orders are delivered, three an hour before their promise and one an hour after, the 北京 one
    on time; the clock then stands on the day after the last delivery. Yields the app and, counted
    by hand from what was recorded, yesterday's on-time and delivered counts at 上海嘉定仓."""
    app = make_app(url, clock)
    seed_tiny_world(app)
    orders = [new_order(f"SH-{i}", province="上海市", city="上海市", district="嘉定区") for i in range(5)]
    orders.append(new_order("BJ-1", province="北京市", city="北京市", district="大兴区", channel="jd"))
    ids = [r.order_id for r in intake(app, orders)]
    assert all(ids)
    with app.store.uow(read_only=True) as uow:
        rows = {o: uow.orders.get(o) for o in ids if o}
    promised = {o: int(r["promised_at_ns"] or 0) for o, r in rows.items() if r}
    late = ids[3]
    delivered: dict[str, int] = {}
    for oid in [*ids[:4], ids[5]]:
        assert oid is not None
        delivered[oid] = promised[oid] + H if oid == late else promised[oid] - H
    clock.set(max(delivered.values()) + DAY)  # reports of the past (a report from the future is refused)
    steps = [Milestone.RELEASED_TO_WAREHOUSE, Milestone.PICKED, Milestone.PACKED, Milestone.OUTBOUND]
    for i, step in enumerate(steps):
        got = advance(app, [MilestoneUpdate(o, step, t - (6 - i) * H, "wms") for o, t in delivered.items()])
        assert {r.outcome.value for r in got} == {"recorded"}, got
    got = advance(app, [MilestoneUpdate(o, Milestone.DELIVERED, t, "carrier") for o, t in delivered.items()])
    assert {r.outcome.value for r in got} == {"recorded"}, got
    yesterday = find_period("昨日", clock.now_ns())
    assert yesterday is not None
    seen = [o for o in ids[:4] if o and yesterday.since_ns <= delivered[o] < yesterday.until_ns]
    on_time = sum(1 for o in seen if delivered[o] <= promised[o])
    yield app, {"on_time": on_time, "delivered": len(seen)}
    app.store.dispose()
