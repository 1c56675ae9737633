"""Pulling orders from the platform emulator: every platform's increment call and signature,
paging, overlap, throttling, server errors, rotation, and no gap or duplicate."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.service.channels import shops as shop_service
from ordo.service.channels.pull import Puller
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms import Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, SteppingClock, client, register, shops


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: SteppingClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(3)
    )
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


def _orders(app: Ordo) -> list[tuple[str, str]]:
    with app.store.uow(read_only=True) as uow:
        rows = uow.connection.exec_driver_sql("SELECT channel, external_id FROM orders").all()
    return [(r[0], r[1]) for r in rows]


def test_every_platform_pulls_every_order_once(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(["taobao", "jd", "pinduoduo", "douyin", "taobao"], 230)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        reports = [puller.pull(s.shop_id) for s in emulated]
        assert [r.error for r in reports] == [""] * 5
        assert all(r.created == 230 and r.dead_lettered == 0 for r in reports), [r.as_dict() for r in reports]
        # A second round reads the overlap again: duplicates, nothing new.
        clock.advance(30)
        again = [puller.pull(s.shop_id) for s in emulated]
        assert sum(r.created for r in again) == 0
    stored = _orders(app)
    expected = {(s.channel, e) for s in emulated for e in emulator.external_ids(s.shop_id)}
    assert len(stored) == len(set(stored)) == 5 * 230
    assert set(stored) == expected
    listed = shop_service.list_shops(app)
    assert [s["pulled"] for s in listed] == [230] * 5
    assert all("****" in s["app_secret"] for s in listed)


def test_orders_arriving_between_rounds_and_cancellations_are_taken(app: Ordo, clock: SteppingClock) -> None:
    # 2 orders a second from 10 minutes ago on: half of the 2,400 exist now.
    emulated = shops(["pinduoduo"], 2_400, per_second=2)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        first = puller.pull(shop)
        assert first.created == emulator.visible(shop) == 1_202
        clock.advance(600)
        closed = emulator.close_order(shop, 5)
        second = puller.pull(shop)
        assert second.created == emulator.visible(shop) - 1_202 == 1_198
        assert second.error == ""
    with app.store.uow(read_only=True) as uow:
        oid = uow.orders.existing([("pinduoduo", closed)])[("pinduoduo", closed)]
        assert uow.orders.get(oid)["status"] == "cancelled"  # type: ignore[index]
    assert len(set(_orders(app))) == len(_orders(app)) == 2_400


def test_throttling_and_server_errors_are_retried_with_backoff(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(["taobao", "douyin"], 900)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS, rate_per_s=2, fail_every=7)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        reports = [puller.pull(s.shop_id) for s in emulated]
    assert [r.error for r in reports] == ["", ""]
    assert emulator.stats["throttled"] > 0 and emulator.stats["failed"] > 0
    assert clock.slept_s > 0  # the backoff waited on the injected clock
    assert sorted(_orders(app)) == sorted(
        {(s.channel, e) for s in emulated for e in emulator.external_ids(s.shop_id)}
    )


def test_rotated_credentials_are_used_without_a_restart(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(["jd"], 50)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert puller.pull(shop).created == 50
        emulator.rotate(shop, session="session-jd-new")
        clock.advance(10)
        refused = puller.pull(shop)
        assert "auth" in refused.error  # the old session is refused, and no retry storm follows
        assert shop_service.rotate(app, shop, session="session-jd-new") == 2
        ok = puller.pull(shop)  # same puller, same process: the new session is read on refusal
        assert ok.error == ""


def test_bad_shop_input_names_the_field(app: Ordo) -> None:
    from ordo.domain.errors import ValidationError

    with pytest.raises(ValidationError) as bad:
        shop_service.add_shop(
            app,
            shop_id="x",
            channel="ebay",
            app_key="k",
            app_secret="s" * 10,
            session="t",
            endpoint="http://e",
        )
    assert bad.value.details["field"] == "channel"
    with pytest.raises(ValidationError) as short:
        shop_service.add_shop(
            app, shop_id="x", channel="jd", app_key="k", app_secret="short", session="t", endpoint="http://e"
        )
    assert short.value.details["field"] == "app_secret"
