from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Status
from ordo.sim.progression import Noise
from ordo.sim.runner import SimProgress, simulate
from ordo.sim.world import WORLD_SEED_KEY, ensure_world
from tests.conftest import T0, make_app

DAY_S = 86_400


def all_stock(app):
    rows, after = [], None
    with app.store.uow(read_only=True) as uow:
        while True:
            page = uow.stock.query(after=after, limit=5000)
            if not page:
                return rows
            rows += page
            after = (page[-1].warehouse_id, page[-1].sku)


def test_a_simulated_day_flows_through_to_delivery_and_keeps_stock_sound(app, clock):
    ensure_world(app, 3, skus=600, customers=800)  # smaller than the default, same shape
    seen: list[SimProgress] = []
    summary = simulate(app, clock, orders=500, seed=3, noise=Noise(impossible=0.04), on_progress=seen.append)

    assert summary.orders_created >= 490
    assert summary.orders_created + summary.orders_rejected + summary.orders_duplicate >= 500
    finished = sum(summary.status_counts.get(s, 0) for s in (Status.DELIVERED, Status.COMPLETED))
    assert finished > 0.8 * summary.orders_created
    assert sum(summary.status_counts.values()) == summary.orders_created
    assert Status.CANCELLED in summary.status_counts
    assert summary.updates_recorded > 10 * summary.orders_created
    assert summary.updates_duplicate > 0
    assert sum(summary.by_channel.values()) == summary.orders_created and len(summary.by_channel) >= 7
    # Every routed order carries a promise, so the headline on-time rate has a figure.
    delivered = sum(summary.status_counts.get(s, 0) for s in (Status.DELIVERED, Status.COMPLETED))
    assert summary.on_time["delivered"] >= 0.95 * delivered
    assert summary.on_time["rate"] is not None and 0.3 < summary.on_time["rate"] <= 1

    # Every impossible report was refused and kept as an anomaly, and nothing else was.
    assert summary.impossible_sent > 0
    assert summary.updates_rejected == summary.impossible_sent
    with app.store.uow(read_only=True) as uow:
        assert uow.catalog.count("anomalies") == summary.impossible_sent
        assert uow.catalog.get_meta(WORLD_SEED_KEY) == "3"
        assert uow.orders.count_by_status() == summary.status_counts

    stock = all_stock(app)
    assert stock and all(s.on_hand >= 0 and 0 <= s.reserved <= s.on_hand for s in stock)
    # Every order ended (shipped or cancelled), so nothing stays reserved.
    assert sum(s.reserved for s in stock) == 0

    assert summary.start_ns == T0 and clock.now_ns() == summary.end_ns
    assert summary.simulated_s > 3 * DAY_S
    assert seen and seen[-1].orders_in == seen[-1].orders_total and seen[-1].updates_pending == 0
    fractions = [p.fraction for p in seen]
    assert fractions[-1] == 1.0 and all(0 <= f <= 1 for f in fractions)


def test_the_same_seed_replays_the_same_day(app, clock, tmp_path):
    ensure_world(app, 4, skus=300, customers=300)
    first = simulate(app, clock, orders=120, seed=4)
    other_clock = ManualClock(T0)
    other = make_app(f"sqlite:///{tmp_path / 'again.db'}", other_clock)
    try:
        ensure_world(other, 4, skus=300, customers=300)
        second = simulate(other, other_clock, orders=120, seed=4)
    finally:
        other.store.dispose()
    assert first.status_counts == second.status_counts
    assert first.by_channel == second.by_channel
    assert first.updates_sent == second.updates_sent
