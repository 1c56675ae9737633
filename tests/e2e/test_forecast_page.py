"""The forecast page (需求预测) in Chromium: after five weeks of 上海 sales, a viewer picks the
warehouse by name and sees every SKU's 72-hour and 14-day forecast, stock and stock risk in the
API's order (most at risk first) with product names; a new target days of cover re-queries
and changes the replenishment figures; English labels after the language switch; a warehouse
with no history shows the empty state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from ordo.service.orders.intake import intake
from tests.conftest import new_order
from tests.e2e.conftest import Server, needs_assets, shot

pytestmark = needs_assets

DAY = 86_400 * 1_000_000_000
DAYS = 35


@pytest.fixture(scope="module")
def history(server: Server) -> Server:
    """35 days of 上海 orders (shipped from WH-SH) before today: 龙井 every day (3 on weekdays,
    1 at weekends by day number), a cup every other day."""
    now = server.ordo.clock.now_ns()
    orders = []
    for d in range(1, DAYS + 1):
        at = now - d * DAY
        where = {"province": "上海市", "city": "上海市", "district": "嘉定区"}
        orders.append(new_order(f"FC-T-{d}", [("SKU-TEA", 1 if d % 7 in (5, 6) else 3)], at_ns=at, **where))
        if d % 2 == 0:
            orders.append(new_order(f"FC-C-{d}", [("SKU-CUP", 1)], at_ns=at, **where))
    got = intake(server.ordo, orders)
    assert all(r.order_id for r in got), got
    return server


def _get(server: Server, path: str, **query: Any) -> Any:
    r = httpx.get(f"{server.base}{path}", params=query, headers=server.headers(Role.VIEWER), timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def _rows(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#forecast-table tbody tr",
        """rows => rows.map(r => ({sku: r.dataset.sku, risk: r.dataset.risk,
            product: r.querySelector('.product').innerText, d72: r.querySelector('.demand-72h').innerText,
            d14: r.querySelector('.demand-14d').innerText, available: r.querySelector('.available').innerText,
            suggest: r.querySelector('.suggest').innerText}))""",
    )


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_forecast_page_shows_the_risk_and_replenishment_per_sku_and_follows_the_target_days(
    history: Server, page_for: Callable[..., Any]
) -> None:
    server = history
    warehouses = {w["id"]: w for w in _get(server, "/api/v1/warehouses")["warehouses"]}
    sh = warehouses["WH-SH"]["name"]
    at14 = _get(server, "/api/v1/forecast/warehouses/WH-SH", target_days=14)
    at60 = _get(server, "/api/v1/forecast/warehouses/WH-SH", target_days=60)
    names = {s["sku"]: s["name"] for s in _get(server, "/api/v1/inventory", warehouse_id="WH-SH")["items"]}
    assert {"SKU-TEA", "SKU-CUP"} <= {i["sku"] for i in at14["items"]}
    assert at14["items"][0]["risk"]["level"] in ("high", "medium")  # the stock cannot last
    suggest14 = {i["sku"]: i["suggest_units"] for i in at14["items"]}
    suggest60 = {i["sku"]: i["suggest_units"] for i in at60["items"]}
    assert suggest14 != suggest60  # the test below can tell the two apart

    page = page_for(Role.VIEWER, lang="zh")
    page.goto(f"{server.base}/#/forecast")
    page.wait_for_selector("#forecast-results[data-state='ready']")
    page.select_option("#forecast-warehouse", label=f"{sh} (WH-SH)")
    page.wait_for_function(
        "() => { const r = document.querySelector('#forecast-table tbody tr'); return r && "
        "document.querySelector('#forecast-results').dataset.state === 'ready' && "
        "document.querySelector('#forecast-warehouse').value === 'WH-SH' && "
        "document.querySelector('#forecast-as-of').innerText.includes(" + repr(sh) + ") }"
    )
    assert "需求预测" in page.inner_text("main h1")
    rows = _rows(page)
    assert [r["sku"] for r in rows] == [i["sku"] for i in at14["items"]]  # most at risk first
    for row, item in zip(rows, at14["items"], strict=True):
        assert row["risk"] == item["risk"]["level"]
        assert names[item["sku"]] in row["product"] and item["sku"] in row["product"]
        assert abs(_num(row["d72"]) - item["demand_72h"]) <= 0.051
        assert abs(_num(row["d14"]) - item["demand_14d"]) <= 0.051
        assert _num(row["available"]) == item["available"]
        assert _num(row["suggest"]) == item["suggest_units"]
    assert any(_num(r["d14"]) > 0 for r in rows)
    risk_cell = page.inner_text(f"#forecast-table tr[data-sku='{rows[0]['sku']}'] td.risk")
    assert risk_cell == at14["items"][0]["risk"]["zh"]
    shot(page, "forecast-zh")

    page.fill("#forecast-days", "60")
    page.press("#forecast-days", "Enter")
    page.wait_for_selector("#forecast-results[data-target-days='60'][data-state='ready']")
    got60 = {r["sku"]: _num(r["suggest"]) for r in _rows(page)}
    assert got60 == suggest60
    listed = page.locator("#forecast-replenishment tbody tr").evaluate_all("rs => rs.map(r => r.dataset.sku)")
    assert listed == [r["sku"] for r in at60["replenishment"]]

    page.click("#lang")  # the page is drawn again in English, same warehouse and target
    page.wait_for_selector("main h1:has-text('Forecast')")
    page.wait_for_selector("#forecast-results[data-state='ready'] #forecast-table th:has-text('Stock risk')")
    assert page.input_value("#forecast-days") == "60" and page.input_value("#forecast-warehouse") == "WH-SH"
    heads = page.locator("#forecast-table thead th").all_inner_texts()
    for label in ("Next 72 h", "Next 14 days", "Available", "Stock risk", "Replenish (60 days of cover)"):
        assert label in heads, heads
    assert page.locator("#nav a[href='#/forecast']").inner_text() == "Forecast"
    first = page.inner_text(f"#forecast-table tr[data-sku='{rows[0]['sku']}'] td.risk")
    assert first == next(i for i in at60["items"] if i["sku"] == rows[0]["sku"])["risk"]["en"]
    assert {r["sku"]: _num(r["suggest"]) for r in _rows(page)} == suggest60
    shot(page, "forecast-en")


def test_a_warehouse_without_history_shows_the_empty_state(
    history: Server, page_for: Callable[..., Any]
) -> None:
    server = history
    warehouses = _get(server, "/api/v1/warehouses")["warehouses"]
    idle = [w for w in warehouses if not _get(server, f"/api/v1/forecast/warehouses/{w['id']}")["items"]]
    assert idle, "every warehouse has sales: the seed changed"
    page = page_for(Role.VIEWER, lang="en")
    page.goto(f"{server.base}/#/forecast/{idle[0]['id']}")
    page.wait_for_selector("#forecast-empty")
    assert idle[0]["name"] in page.inner_text("#forecast-empty")
    assert "nothing to forecast" in page.inner_text("#forecast-empty")
    assert page.locator("#forecast-table").count() == 0
