"""Demand forecasts from the stored history, on SQLite and PostgreSQL: the grouped daily read
(Asia/Shanghai days, cancelled orders out, per channel), a warehouse's forecast with its stock
risk and replenishment suggestion, the kept forecast, and the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.api import create_app
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.orders.model import Order
from ordo.service.forecast.demand import day_of, warehouse_forecast
from ordo.service.forecast.refresh import Daily, kept, refresh
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.conftest import T0, make_app, new_order, seed_tiny_world
from tests.integration.api.conftest import TestClient
from tests.integration.service.routing_helpers import go_live, stored_order

DAY = 86_400 * 1_000_000_000
DAYS = 35


def sh(ext: str, lines: list[tuple[str, int]], at_ns: int, channel: str = "tmall") -> Order:
    """A 上海 order (it ships from WH-SH)."""
    return new_order(
        ext, lines, channel=channel, at_ns=at_ns, province="上海市", city="上海市", district="嘉定区"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    pg: str = request.getfixturevalue("pg_url")
    return pg


@pytest.fixture
def sold(url: str, clock: ManualClock) -> Iterator[tuple[Ordo, dict[str, int]]]:
    """35 days of 上海 orders (shipped from WH-SH): 龙井 every day (3 on weekdays, 1 at weekends
    by day number, alternately on tmall and jd), a cup every other day; the clock then stands on
    the day after. Yields the app and the units sold per SKU."""
    app = make_app(url, clock)
    seed_tiny_world(app)
    orders, units = [], {"SKU-TEA": 0, "SKU-CUP": 0}
    for d in range(DAYS):
        tea = 1 if d % 7 in (5, 6) else 3
        at = T0 + d * DAY
        channel = "tmall" if d % 2 else "jd"
        orders.append(sh(f"T-{d}", [("SKU-TEA", tea)], at, channel))
        units["SKU-TEA"] += tea
        if d % 2 == 0:
            orders.append(sh(f"C-{d}", [("SKU-CUP", 1)], at + 3_600 * 10**9))
            units["SKU-CUP"] += 1
    clock.set(T0 + DAYS * DAY)
    got = intake(app, orders)
    assert all(r.order_id for r in got), got
    yield app, units
    app.store.dispose()


def test_daily_demand_is_grouped_by_shanghai_day_and_channel(sold: tuple[Ordo, dict[str, int]]) -> None:
    app, units = sold
    first = day_of(T0)
    with app.store.uow(read_only=True) as uow:
        rows = uow.forecast.daily_demand(first, first + DAYS - 1)
        split = uow.forecast.daily_demand(first, first + DAYS - 1, warehouse_id="WH-SH", by_channel=True)
        none = uow.forecast.daily_demand(first, first + DAYS - 1, warehouse_id="WH-BJ")
        first_day = uow.forecast.daily_demand(first, first)
    assert {(r.warehouse_id, r.channel) for r in rows} == {("WH-SH", "")}
    assert sum(r.units for r in rows if r.sku == "SKU-TEA") == units["SKU-TEA"]
    assert sum(r.units for r in rows if r.sku == "SKU-CUP") == units["SKU-CUP"]
    assert {r.channel for r in split if r.sku == "SKU-TEA"} == {"tmall", "jd"}
    assert sum(r.units for r in split) == sum(units.values())
    assert none == []
    # Day 0: 3 teas (jd) and the cup placed ten hours later (18:00 Shanghai, the same day).
    got = sorted((r.sku, r.day, r.units) for r in first_day)
    assert got == [("SKU-CUP", first, 1), ("SKU-TEA", first, 3)]


def test_a_late_evening_order_counts_on_its_shanghai_day(url: str, clock: ManualClock) -> None:
    app = make_app(url, clock)
    try:
        seed_tiny_world(app)
        day = day_of(T0)
        midnight = day * DAY - 8 * 3_600 * 10**9  # 00:00 Shanghai of T0's day, in UTC ns
        late, early = midnight + DAY - 1, midnight + DAY  # 23:59:59.999… and 00:00 the next day
        intake(app, [sh("L", [("SKU-TEA", 2)], late), sh("E", [("SKU-TEA", 1)], early)])
        with app.store.uow(read_only=True) as uow:
            rows = uow.forecast.daily_demand(day, day + 1)
        assert sorted((r.day, r.units) for r in rows) == [(day, 2), (day + 1, 1)]
    finally:
        app.store.dispose()


def test_warehouse_forecast_risk_and_replenishment(sold: tuple[Ordo, dict[str, int]]) -> None:
    app, units = sold
    out = warehouse_forecast(app, "WH-SH", history_days=28, by_channel=True)
    items = {i["sku"]: i for i in out["items"]}
    assert set(items) == {"SKU-TEA", "SKU-CUP"}
    tea, cup = items["SKU-TEA"], items["SKU-CUP"]
    assert len(tea["forecast_72h"]) == 3 and len(tea["forecast_14d"]) == 14
    # Last four weeks sold 16 a week; the forecast keeps the level and the weekly shape.
    assert 26 <= tea["demand_14d"] <= 38
    assert tea["available"] == 100 - units["SKU-TEA"]
    assert cup["available"] == 20 - units["SKU-CUP"] == 2
    # Two cups left at about half a cup a day: gone within the horizon, so replenish.
    assert cup["risk"]["level"] in {"high", "medium"} and cup["runout_at_ns"] is not None
    assert cup["suggest_units"] == pytest.approx(round(cup["demand_14d"]) - 2, abs=1)
    assert out["items"][0]["sku"] == "SKU-CUP"  # most at risk first
    assert out["replenishment"][0]["sku"] == "SKU-CUP"
    assert {c["channel"] for c in tea["by_channel"]} == {"tmall", "jd"}
    assert sum(out["risk_counts"].values()) == 2
    with pytest.raises(NotFound):
        warehouse_forecast(app, "WH-NOPE")
    with pytest.raises(ValidationError) as bad:
        warehouse_forecast(app, "WH-SH", history_days=3)
    assert bad.value.field == "history_days"


def test_refresh_keeps_the_last_forecast(sold: tuple[Ordo, dict[str, int]], clock: ManualClock) -> None:
    app, _ = sold
    counts = refresh(app)
    assert counts["kept"] == 2
    rows = {r["sku"]: r for r in kept(app, "WH-SH")}
    assert set(rows) == {"SKU-TEA", "SKU-CUP"}
    assert rows["SKU-CUP"]["ratio"] > rows["SKU-TEA"]["ratio"] > 0
    with app.store.uow(read_only=True) as uow:
        ratios = uow.forecast.ratios([("WH-SH", "SKU-CUP"), ("WH-BJ", "SKU-CUP")])
    assert set(ratios) == {("WH-SH", "SKU-CUP")}
    clock.set(clock.now_ns() + DAY)
    refresh(app)  # replaces, never duplicates
    assert len(kept(app)) == 2


def test_forecast_api(sold: tuple[Ordo, dict[str, int]], url: str) -> None:
    app, _ = sold
    key = create_key(app, Role.VIEWER, "forecast test")
    auth = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(app, Settings(database_url=url))) as client:
        got = client.get("/api/v1/forecast/warehouses/WH-SH?target_days=7", headers=auth)
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["target_days"] == 7 and {i["sku"] for i in body["items"]} == {"SKU-TEA", "SKU-CUP"}
        assert "runout_at" in body["items"][0]
        missing = client.get("/api/v1/forecast/warehouses/WH-NOPE", headers=auth)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        bad = client.get("/api/v1/forecast/warehouses/WH-SH?target_days=0", headers=auth)
        assert bad.status_code == 422 and "target_days" in bad.text
        assert client.get("/api/v1/forecast/warehouses/WH-SH").status_code == 401
        refresh(app)
        risk = client.get("/api/v1/forecast/risk?warehouse_id=WH-SH", headers=auth)
        assert risk.status_code == 200 and len(risk.json()["items"]) == 2
        one = client.get("/api/v1/forecast/risk?limit=1", headers=auth).json()
        assert len(one["items"]) == 1 and one["truncated"] is True and "computed_at" in one["items"][0]


def test_a_rule_on_predicted_stock_risk_fires_at_intake(sold: tuple[Ordo, dict[str, int]]) -> None:
    """After a refresh, 预测库存风险 at intake is the kept network-wide ratio of the order's SKUs:
    a rule holding orders above a threshold between 龙井's and the cup's ratio holds the cup only."""
    app, _ = sold
    refresh(app)
    rows = {r["sku"]: r["ratio"] for r in kept(app)}
    assert rows["SKU-CUP"] > rows["SKU-TEA"]
    with app.store.uow(read_only=True) as uow:
        assert uow.forecast.sku_ratios(["SKU-CUP", "SKU-GAS"]) == {"SKU-CUP": pytest.approx(rows["SKU-CUP"])}
    threshold = round((rows["SKU-CUP"] + rows["SKU-TEA"]) / 2, 3)
    go_live(app, f"如果 AI预测库存风险 > {threshold} 则 转人工审核")
    now = app.clock.now_ns()
    cup, tea = intake(app, [sh("NEW-CUP", [("SKU-CUP", 1)], now), sh("NEW-TEA", [("SKU-TEA", 1)], now)])
    assert cup.order_id and tea.order_id
    assert stored_order(app, cup.order_id)["hold_reason"]
    assert not stored_order(app, tea.order_id)["hold_reason"]


def test_the_daily_duty_refreshes_once_a_day(sold: tuple[Ordo, dict[str, int]], clock: ManualClock) -> None:
    app, _ = sold
    duty = Daily(app)
    assert duty.step() is False and kept(app) == []  # no live rule reads the forecast: not paid for
    go_live(app, "如果 AI预测库存风险 > 0.5 则 转人工审核")
    assert duty.step() is True and len(kept(app)) == 2
    assert duty.step() is False  # the same day
    assert Daily(app).step() is False  # a restart the same day keeps the kept forecast
    clock.set(clock.now_ns() + DAY)
    assert duty.step() is True
    with app.store.uow(read_only=True) as uow:
        assert uow.forecast.computed_at() == clock.now_ns()
