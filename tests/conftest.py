"""Shared fixtures: an injected clock, a fresh SQLite file, a fresh PostgreSQL database.

PostgreSQL tests use ``ORDO_TEST_PG_URL`` (default: the local server's ``test``
database). Each test session creates its own database there and drops it after.
When the server is unreachable those tests are skipped with the reason shown
(``-ra``); CI always has it.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.orders.model import Address, Line, Order, Sku, Stock, Warehouse, WarehouseClass
from ordo.service.inventory.catalog import save_catalog
from ordo.service.runtime.app import Ordo

#: 2026-11-11 08:00 Asia/Shanghai, in UTC ns: a fixed "now" for deterministic tests.
T0 = 1_794_355_200 * 1_000_000_000

PG_ADMIN_URL = os.environ.get("ORDO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ordo.db'}"


def _pg_reachable() -> str | None:
    try:
        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return None
    except Exception as exc:  # any driver error means "not here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty PostgreSQL databases (dropped at the end of the session)."""
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def new_database() -> str:
        name = f"ordo_test_{os.getpid()}_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    yield new_database
    with admin.connect() as conn:
        for name in created:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def pg_url(pg_server: Callable[[], str]) -> str:
    return pg_server()


def make_app(url: str, clock: ManualClock, seed: int = 7) -> Ordo:
    return bootstrap(Settings(database_url=url), clock=clock, rng=random.Random(seed))


@pytest.fixture
def app(sqlite_url: str, clock: ManualClock) -> Iterator[Ordo]:
    ordo = make_app(sqlite_url, clock)
    yield ordo
    ordo.store.dispose()


# A tiny world: three warehouses in real cities, a handful of SKUs.
WAREHOUSES = [
    Warehouse(
        "WH-SH",
        "上海嘉定仓",
        "上海市",
        "上海市",
        "310114",
        31.3747,
        121.2655,
        WarehouseClass.OWN,
        frozenset({"cold_chain"}),
    ),
    Warehouse(
        "WH-BJ", "北京大兴仓", "北京市", "北京市", "110115", 39.7269, 116.3416, WarehouseClass.REGIONAL
    ),
    Warehouse(
        "WH-GZ",
        "广州白云仓",
        "广东省",
        "广州市",
        "440111",
        23.1579,
        113.2732,
        WarehouseClass.THIRD_PARTY,
        frozenset({"hazmat"}),
    ),
]
SKUS = [
    Sku("SKU-TEA", "西湖龙井 250g", "tea", 12_800, 300),
    Sku("SKU-MILK", "鲜牛奶 1L", "dairy", 1_590, 1_050, frozenset({"cold_chain"})),
    Sku("SKU-CUP", "陶瓷杯", "home", 3_900, 400, frozenset({"fragile"})),
    Sku("SKU-GAS", "丁烷气罐", "outdoor", 2_500, 250, frozenset({"hazmat"})),
    Sku("SKU-RARE", "限量款", "collectible", 99_900, 500),
]
STOCK = [
    Stock("WH-SH", "SKU-TEA", 100),
    Stock("WH-BJ", "SKU-TEA", 100),
    Stock("WH-GZ", "SKU-TEA", 100),
    Stock("WH-SH", "SKU-MILK", 50),
    Stock("WH-SH", "SKU-CUP", 20),
    Stock("WH-GZ", "SKU-CUP", 20),
    Stock("WH-GZ", "SKU-GAS", 30),
    Stock("WH-BJ", "SKU-RARE", 5, safety=1),
]


def seed_tiny_world(app: Ordo) -> None:
    save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Ordo]:
    """An Ordo holding the small catalog (WAREHOUSES, SKUS, STOCK), on each backend in turn.
    A test module that needs another catalog defines its own ``shop``."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    seed_tiny_world(app)
    try:
        yield app
    finally:
        app.store.dispose()


@pytest.fixture
def world(app: Ordo) -> Ordo:
    seed_tiny_world(app)
    return app


def new_order(
    external_id: str,
    lines: list[tuple[str, int]] | None = None,
    *,
    channel: str = "tmall",
    province: str = "浙江省",
    city: str = "杭州市",
    district: str = "西湖区",
    paid: bool = True,
    at_ns: int = T0,
) -> Order:
    """A valid order; ``lines`` are (sku, quantity) pairs priced from the tiny world."""
    prices = {s.sku: s.price_fen for s in SKUS}
    flags = {s.sku: s.flags for s in SKUS}
    items = tuple(
        Line(sku, qty, prices.get(sku, 100), frozenset(flags.get(sku, frozenset())))
        for sku, qty in (lines or [("SKU-TEA", 1)])
    )
    return Order(
        id="",
        channel=channel,
        external_id=external_id,
        customer_ref="C-1",
        ship_to=Address(province, city, district, "文三路 100 号", name="张三", phone="13812341234"),
        lines=items,
        placed_at_ns=at_ns,
        paid_at_ns=at_ns if paid else None,
    )
