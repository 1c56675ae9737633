import random
import time

import pytest

from ordo.bootstrap import bootstrap
from ordo.clock import ScaledClock
from ordo.config import Settings
from ordo.domain.errors import StoreUnavailable
from ordo.sim import live
from ordo.sim.live import LiveTraffic, poisson
from ordo.sim.world import ensure_world
from tests.conftest import T0


@pytest.fixture
def fast_app(sqlite_url):
    # An hour of simulated time per real second.
    app = bootstrap(Settings(database_url=sqlite_url), clock=ScaledClock(T0, 3600), rng=random.Random(1))
    ensure_world(app, 8, skus=300, customers=300)
    yield app
    app.store.dispose()


def counts(app):
    with app.store.uow(read_only=True) as uow:
        return uow.catalog.count("orders"), uow.catalog.count("milestones")


def test_live_traffic_keeps_orders_and_milestones_flowing_until_stopped(fast_app):
    traffic = LiveTraffic(fast_app, seed=8, speed=3600, orders_per_s=40, tick_s=0.05)
    traffic.start()
    time.sleep(2)
    traffic.stop()
    assert not traffic.running
    orders, milestones = counts(fast_app)
    assert orders > 0 and traffic.stats["orders_created"] == orders
    # Beyond what intake records itself: the world reported warehouse steps.
    assert milestones > 4 * orders
    assert traffic.stats["updates_recorded"] > 0
    time.sleep(0.2)
    assert counts(fast_app)[0] == orders, "nothing is written after stop()"


def test_live_traffic_survives_a_store_outage(fast_app, monkeypatch):
    real_intake = live.intake
    failures = {"left": 2}

    def flaky(app, orders):
        if failures["left"]:
            failures["left"] -= 1
            raise StoreUnavailable("database restarting")
        return real_intake(app, orders)

    monkeypatch.setattr(live, "intake", flaky)
    with LiveTraffic(fast_app, seed=8, speed=3600, orders_per_s=40, tick_s=0.05) as traffic:
        time.sleep(1.5)
    assert traffic.stats["store_errors"] == 2
    assert counts(fast_app)[0] > 0


def test_poisson_draws_average_to_their_rate():
    rng = random.Random(1)
    for lam in (0.3, 4.0, 200.0):
        mean = sum(poisson(rng, lam) for _ in range(4000)) / 4000
        assert abs(mean - lam) < 0.1 * lam + 0.05
    assert poisson(rng, 0) == 0
