"""The analytics facts on both backends: kept from the outbox they equal a recount from the
orders, and a question answered from the day sums equals the same question over the facts
(one row per order) — for every metric, grouped and filtered."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.analytics import facts
from ordo.adapters.store.analytics.run import _compile_days, _compile_facts, compile_query
from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.insight.ask import ask
from ordo.service.insight.catalog import default_catalog
from ordo.service.insight.facts import catch_up, rebuild
from ordo.service.insight.periods import find_period
from ordo.service.orders.holds import hold
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.ports.insight import MetricQuery
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world

H = 3_600 * 1_000_000_000


def _tables(app: Ordo) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every fact row, and every day-sum row that counts an order (floats rounded)."""

    def norm(row: Any) -> tuple[Any, ...]:
        return tuple(round(v, 6) if isinstance(v, float) else v for v in row)

    with app.store.engine.connect() as conn:
        fact_rows = conn.execute(sa.text("SELECT * FROM analytics_facts ORDER BY order_id")).all()
        day_rows = conn.execute(
            sa.text(
                "SELECT * FROM analytics_daily WHERE orders <> 0 "
                "ORDER BY basis, dims, day, channel, warehouse, carrier, province, city"
            )
        ).all()
    return [norm(r) for r in fact_rows], [norm(r) for r in day_rows]


def _lifecycle(url: str, clock: ManualClock) -> tuple[Ordo, list[str]]:
    """Orders taken in and caught up, then shipped, delivered (one late), held and cancelled:
    each change reaches the facts through the outbox."""
    app = make_app(url, clock)
    seed_tiny_world(app)
    orders = [new_order(f"SH-{i}", province="上海市", city="上海市", district="嘉定区") for i in range(4)]
    orders.append(new_order("BJ-1", province="北京市", city="北京市", district="大兴区", channel="jd"))
    orders.append(new_order("HZ-1"))
    ids = [r.order_id for r in intake(app, orders) if r.order_id]
    assert len(ids) == 6
    catch_up(app)  # the first catch-up is the backfill: the cursor exists from here on
    with app.store.uow(read_only=True) as uow:
        promised = {o: int((uow.orders.get(o) or {}).get("promised_at_ns") or 0) for o in ids}
    clock.set(max(promised.values()) + 24 * H)
    steps = [Milestone.RELEASED_TO_WAREHOUSE, Milestone.PICKED, Milestone.PACKED, Milestone.OUTBOUND]
    shipped = ids[:4]
    for i, step in enumerate(steps):
        advance(app, [MilestoneUpdate(o, step, promised[o] - (8 - i) * H, "wms") for o in shipped])
    advance(app, [MilestoneUpdate(o, Milestone.COLLECTED, promised[o] - 3 * H, "carrier") for o in shipped])
    late = ids[1]
    advance(
        app,
        [
            MilestoneUpdate(o, Milestone.DELIVERED, promised[o] + (H if o == late else -H), "carrier")
            for o in shipped[:3]
        ],
    )
    held = hold(app, [ids[4]], reason="地址待确认", actor="ops")
    assert [h.outcome for h in held] == ["held"], held
    cancel(app, [ids[5]], reason="buyer asked")
    return app, ids


def test_facts_kept_from_the_outbox_equal_a_recount(url: str, clock: ManualClock) -> None:
    app, ids = _lifecycle(url, clock)
    assert catch_up(app) > 0
    kept = _tables(app)
    fact_rows, day_rows = kept
    assert len(fact_rows) == len(ids) and day_rows
    with app.store.engine.connect() as conn:
        flags = {
            r.order_id: (r.held, r.cancelled, r.delivered, r.late)
            for r in conn.execute(
                sa.text("SELECT order_id, held, cancelled, delivered, late FROM analytics_facts")
            )
        }
    assert flags[ids[4]][0] == 1 and flags[ids[5]][1] == 1
    assert [flags[o][2:] for o in ids[:3]] == [(1, 0), (1, 1), (1, 0)]
    rebuilt = rebuild(app)
    assert rebuilt["facts"] == len(ids)
    assert _tables(app) == kept
    assert catch_up(app) == 0  # nothing new: one read


def test_an_answer_counts_orders_committed_just_before_the_question(url: str, clock: ManualClock) -> None:
    app, ids = _lifecycle(url, clock)
    found = ask(app, "今年取消率")  # no background job ran: the question catches up itself
    assert found["rows"][0]["base"] == len(ids)
    assert found["rows"][0]["value"] == 1 / len(ids)
    held = ask(app, "今年挂起率")
    assert held["rows"][0]["value"] == 1 / len(ids)


def test_the_day_sums_answer_as_the_facts_do(url: str, clock: ManualClock) -> None:
    app, _ = _lifecycle(url, clock)
    catch_up(app)
    year = find_period("今年", clock.now_ns())
    assert year is not None
    analytics = app.store.analytics()
    shapes: list[tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]] = [
        ((), ()),
        (("channel",), ()),
        (("warehouse",), ()),
        (("day",), ()),
        (("carrier", "day"), ()),
        (("province",), (("channel", ("tmall",)),)),
        ((), (("city", ("上海市",)), ("channel", ("tmall", "jd")))),
    ]
    compared = 0
    for metric in default_catalog().metrics.values():
        for dims, filters in shapes:
            q = MetricQuery(
                metric.numerator,
                metric.denominator,
                metric.time,
                year.since_ns,
                year.until_ns,
                dims,
                filters,
            )
            assert "analytics_days" in compile_query(q)[0]
            by_days = analytics.run_sql(*_compile_days(q))
            by_facts = analytics.run_sql(*_compile_facts(q))
            assert by_days.columns == by_facts.columns
            got = {r[: len(dims)]: [_num(v) for v in r[len(dims) :]] for r in by_days.rows}
            want = {r[: len(dims)]: [_num(v) for v in r[len(dims) :]] for r in by_facts.rows}
            assert got == want, (metric.key, dims, filters)
            compared += len(want)
    assert compared > 50


def test_three_dimensions_or_part_of_a_day_read_the_facts() -> None:
    base = MetricQuery("COUNT(*)", None, "placed_at_ns", 16 * H, 40 * H)
    assert "analytics_days" in compile_query(base)[0]
    three = MetricQuery(
        "COUNT(*)", None, "placed_at_ns", 16 * H, 40 * H, ("channel", "warehouse"), (("city", ("上海市",)),)
    )
    assert "analytics_orders" in compile_query(three)[0]
    partial = MetricQuery("COUNT(*)", None, "placed_at_ns", 16 * H, 41 * H)
    assert "analytics_orders" in compile_query(partial)[0]
    assert facts.dims_key(["city", "channel"]) == "channel,city"


def _num(v: Any) -> Any:
    return None if v is None else round(float(v), 9)
