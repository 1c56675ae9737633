"""Pull and write-back for Kuaishou, WeChat Channels (视频号小店), Youzan and Xiaohongshu
against the platform emulator: each platform's list call and paging (Kuaishou's pcursor,
WeChat's next_key with a detail call per id, Youzan's pages, Xiaohongshu's list plus
detail), its signature or token, its throttling, and its shipment confirmation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.adapters.platforms import Credentials, PlatformError, signing
from ordo.bootstrap import bootstrap
from ordo.clock import NS_PER_S
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.channels.pull import Puller
from ordo.service.channels.writeback import WriteBack, shipments
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms import Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, SteppingClock, client, register, shops

MORE = ["kuaishou", "wechat_channels", "youzan", "xiaohongshu"]
#: What the shipped data file maps carrier "sf" to, per platform.
SF = {"kuaishou": "4", "wechat_channels": "SF", "youzan": "7", "xiaohongshu": "shunfeng"}


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: SteppingClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(5)
    )
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


def _orders(app: Ordo) -> list[tuple[str, str, str]]:
    with app.store.uow(read_only=True) as uow:
        rows = uow.connection.exec_driver_sql("SELECT channel, external_id, id FROM orders").all()
    return [(r[0], r[1], r[2]) for r in rows]


def test_each_new_platform_pulls_every_order_once_over_several_pages(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(MORE, 230)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        reports = [puller.pull(s.shop_id) for s in emulated]
        assert [r.error for r in reports] == [""] * 4, [r.as_dict() for r in reports]
        assert all(r.created == 230 and r.dead_lettered == 0 for r in reports), [r.as_dict() for r in reports]
        assert all(r.pages >= 3 for r in reports)  # 100 a page: paging (cursor or number) was followed
        clock.advance(30)
        again = [puller.pull(s.shop_id) for s in emulated]
        assert sum(r.created for r in again) == 0
    stored = {(c, e) for c, e, _ in _orders(app)}
    expected = {(s.channel, e) for s in emulated for e in emulator.external_ids(s.shop_id)}
    assert len(_orders(app)) == 4 * 230
    assert stored == expected
    # WeChat's order ids pass 2^53: read exactly, not through a float.
    wx = [e for c, e in stored if c == "wechat_channels"]
    assert all(int(e) > 2**53 for e in wx) and set(wx) == set(emulator.external_ids("wechat_channels-1"))


def test_a_buyer_cancellation_is_pulled_as_a_cancel(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(MORE, 50)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        for s in emulated:
            assert puller.pull(s.shop_id).created == 50
        clock.advance(120)
        closed = {s.channel: emulator.close_order(s.shop_id, 7) for s in emulated}
        clock.advance(5)
        for s in emulated:
            report = puller.pull(s.shop_id)
            assert report.error == "" and report.created == 0
    with app.store.uow(read_only=True) as uow:
        for channel, ext in closed.items():
            row = uow.connection.exec_driver_sql(
                "SELECT status FROM orders WHERE channel = ? AND external_id = ?", (channel, ext)
            ).one()
            assert row[0] == "cancelled", (channel, row)


def test_throttling_and_server_errors_are_retried(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(MORE, 120)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS, rate_per_s=3, fail_every=7)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        reports = [puller.pull(s.shop_id) for s in emulated]
    assert [r.error for r in reports] == [""] * 4
    assert [r.created for r in reports] == [120] * 4
    assert emulator.stats["throttled"] > 0 and emulator.stats["failed"] > 0


def test_bad_signatures_and_tokens_are_refused(clock: SteppingClock) -> None:
    emulated = shops(MORE, 10)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    now_s = clock.now_ns() // NS_PER_S
    with EmulatorServer(emulator) as server:
        for s in emulated:
            good = Credentials(s.channel, s.app_key, s.app_secret, s.session, server.url)
            page = client().list_page(good, now_s - 600, now_s, 1, now_s)
            assert len(page.orders or page.detail_ids) == 10
            wrong = (
                good._replace(session="stolen")
                if s.channel in ("wechat_channels", "youzan")
                else (good._replace(app_secret="not-the-secret"))
            )
            with pytest.raises(PlatformError) as refused:
                client().list_page(wrong, now_s - 600, now_s, 1, now_s)
            assert refused.value.kind == "auth", (s.channel, refused.value)
    assert emulator.stats["refused"] == 4


def test_signatures_as_documented() -> None:
    # Kuaishou: sorted k=v joined by &, then &signSecret=…, MD5 lower-case hex.
    ks = {
        "appkey": "ks1",
        "method": "open.seller.order.pcursor.list",
        "version": "1",
        "access_token": "t",
        "timestamp": "1700000000000",
        "signMethod": "MD5",
        "param": "{}",
    }
    import hashlib

    plain = (
        "access_token=t&appkey=ks1&method=open.seller.order.pcursor.list&param={}&signMethod=MD5"
        "&timestamp=1700000000000&version=1&signSecret=S"
    )
    assert signing.sign("kuaishou", ks, "S") == hashlib.md5(plain.encode()).hexdigest()
    # Xiaohongshu: method?appId=…&timestamp=…&version=… + secret, MD5.
    xhs = {"method": "order.getOrderList", "appId": "a1", "timestamp": "1700000000", "version": "2.0"}
    want = hashlib.md5(b"order.getOrderList?appId=a1&timestamp=1700000000&version=2.0S").hexdigest()
    assert signing.sign("xiaohongshu", xhs, "S") == want


def test_shipments_are_confirmed_with_each_platform_logistics_id(app: Ordo, clock: SteppingClock) -> None:
    emulated = shops(MORE, 20)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert all(puller.pull(s.shop_id).created == 20 for s in emulated)
        wb = WriteBack(app, client())
        wb.step()
        now = clock.now_ns()
        updates = []
        waybills: dict[str, str] = {}
        for n, (_, _, oid) in enumerate(sorted(_orders(app))):
            waybills[oid] = f"SF{n:010d}"
            updates.append(MilestoneUpdate(oid, Milestone.WAYBILL_ISSUED, now, "tms", f"sf:{waybills[oid]}"))
            updates.append(MilestoneUpdate(oid, Milestone.OUTBOUND, now, "wms"))
        assert all(r.outcome.value == "recorded" for r in advance(app, updates))
        for _ in range(3):
            wb.step()
            clock.advance(1)
        wb.close()
        rows = shipments(app)
        assert len(rows) == 80 and {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
        for s in emulated:
            told = emulator.shipped(s.shop_id)
            assert len(told) == 20
            assert {c for pairs in told.values() for _, c in pairs} == {SF[s.channel]}
        assert {w for s in emulated for p in emulator.shipped(s.shop_id).values() for w, _ in p} == set(
            waybills.values()
        )
