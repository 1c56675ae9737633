"""What ``ordo demo`` sets up besides the traffic: a clock that resumes, and the README's SKUs mapped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.clock import ManualClock
from ordo.service.channels.receive import map_payload, set_sku_mapping
from ordo.service.runtime.app import Ordo
from ordo.sim.live import SIM_NOW_KEY, LiveTraffic, resume_ns
from ordo.sim.samples import SAMPLE_SKUS, best_seller, map_sample_skus
from ordo.sim.world import World, ensure_world
from tests.conftest import T0, make_app

HOUR_NS = 3600 * 1_000_000_000
SAMPLE = Path(__file__).parents[2] / "fixtures" / "channels" / "taobao" / "create.json"


@pytest.fixture
def demo_app(sqlite_url: str, clock: ManualClock) -> Iterator[Ordo]:
    app = make_app(sqlite_url, clock)
    yield app
    app.store.dispose()


@pytest.fixture
def world(demo_app: Ordo) -> World:
    return ensure_world(demo_app, 8, warehouses=12, skus=300, customers=100)


def test_a_store_without_a_saved_time_starts_the_clock_at_wall_time(demo_app: Ordo) -> None:
    assert resume_ns(demo_app.store, T0) == T0


def test_stopped_traffic_saves_its_time_and_a_restart_resumes_there_never_earlier(
    demo_app: Ordo, world: World, clock: ManualClock
) -> None:
    traffic = LiveTraffic(demo_app, seed=8, world=world, orders_per_s=0, tick_s=0.01)
    traffic.start()
    clock.advance(5 * 3600)  # the demo's clock runs hours ahead of the wall
    traffic.stop()
    with demo_app.store.uow(read_only=True) as uow:
        assert uow.catalog.get_meta(SIM_NOW_KEY) == str(T0 + 5 * HOUR_NS)
    assert resume_ns(demo_app.store, wall_ns=T0 + HOUR_NS) == T0 + 5 * HOUR_NS
    assert resume_ns(demo_app.store, wall_ns=T0 + 9 * HOUR_NS) == T0 + 9 * HOUR_NS


def test_the_readme_sample_push_maps_onto_the_demo_world(demo_app: Ordo, world: World) -> None:
    done = map_sample_skus(demo_app, world)
    assert set(done) == {("taobao", sku) for sku in SAMPLE_SKUS["taobao"]}
    assert done["taobao", "SKU-TEA"] == best_seller(world, "龙井茶")
    mapped = map_payload(demo_app, "taobao", json.loads(SAMPLE.read_text(encoding="utf-8")))
    assert mapped.order is not None
    assert [line.sku for line in mapped.order.lines] == [done["taobao", s] for s in SAMPLE_SKUS["taobao"]]


def test_a_mapping_the_operator_made_is_left_alone(demo_app: Ordo, world: World) -> None:
    mine = world.skus[0].sku
    set_sku_mapping(demo_app, "taobao", "SKU-TEA", mine)
    done = map_sample_skus(demo_app, world)
    assert ("taobao", "SKU-TEA") not in done
    assert map_sample_skus(demo_app, world) == {}, "a second start maps nothing again"
    with demo_app.store.uow(read_only=True) as uow:
        assert uow.channels.sku_map_for("taobao", ["SKU-TEA"]) == {"SKU-TEA": mine}
