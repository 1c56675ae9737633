"""The orders workbench in Chromium, in both languages: search by platform order number with
a true total, a new matching order appearing live, bulk hold of 50 orders with a result per
order, export to Excel with progress, the order page's lines, parcels and promise, and dates
typed as yyyy-mm-dd."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from tests.e2e.conftest import Server, shot

TEXT = {
    "zh": {
        "total_one": "共 1 个订单",
        "total_50": "共 50 个订单",
        "held_50": "已挂起 50",
        "export": "已导出 50 行",
    },
    "en": {
        "total_one": "1 orders in all",
        "total_50": "50 orders in all",
        "held_50": "held 50",
        "export": "Exported 50 rows",
    },
}
#: A channel per language, so each test's 50 orders are the whole filtered list.
BULK_CHANNEL = {"zh": "kuaishou", "en": "youzan"}


def _wait(check: Callable[[], bool], what: str, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_by_platform_order_number_with_a_true_total_and_live_arrivals(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    [order_id] = server.post_orders(f"PLAT-{lang}", 1, channel="jd")
    page = page_for(Role.VIEWER, lang=lang)
    page.goto(f"{server.base}/#/orders")
    page.wait_for_selector("#orders-table")
    dates = page.locator("#order-filters input[name=created_from]")
    assert dates.get_attribute("placeholder") == "yyyy-mm-dd" and dates.get_attribute("type") == "text"
    assert dates.get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    page.fill("#order-q", f"PLAT-{lang}-0")
    page.click("#order-filters button[type=submit]")
    _wait(lambda: TEXT[lang]["total_one"] in page.inner_text("#order-count"), "one order found")
    assert page.locator(f"#orders-table tr[data-id='{order_id}']").count() == 1
    assert page.locator("#orders-table tbody tr").count() == 1
    assert "138****1234" in page.inner_text("#orders-table .recipient")  # masked for a viewer
    shot(page, f"orders-search-{lang}")

    # Live: a matching order appears in the open, filtered view without a reload.
    page.fill("#order-q", "")
    page.select_option("#order-filters select[name=channel]", "pos")
    page.click("#order-filters button[type=submit]")
    pos = httpx.get(
        f"{server.base}/api/v1/worklist/orders", params={"channel": "pos"}, headers=server.headers()
    ).json()["total"]
    rows = page.locator("#orders-table tbody tr")
    gone = page.locator(f"#orders-table tr[data-id='{order_id}']")  # the JD order of the search above
    _wait(lambda: rows.count() == pos and gone.count() == 0, "the POS orders")
    page.wait_for_selector("#order-results[data-live='open']")
    [fresh] = server.post_orders(f"LIVE-{lang}", 1, channel="pos")
    started = time.monotonic()
    page.wait_for_selector(f"#orders-table tr[data-id='{fresh}']", timeout=5_000)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bulk_hold_of_50_orders_and_export_of_the_view(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    channel = BULK_CHANNEL[lang]
    ids = server.post_orders(f"BULK-{lang}", 50, channel=channel)
    page = page_for(Role.OPS, lang=lang)
    page.goto(f"{server.base}/#/orders")
    page.wait_for_selector("#orders-table")
    page.select_option("#order-filters select[name=channel]", channel)
    page.click("#order-filters button[type=submit]")
    _wait(lambda: TEXT[lang]["total_50"] in page.inner_text("#order-count"), "the 50 orders' total")
    assert page.locator("#orders-table tbody tr").count() == 50

    page.click("#export")
    page.wait_for_selector("#export-download", timeout=30_000)
    assert TEXT[lang]["export"] in page.inner_text("#export-progress")
    assert page.get_attribute("#export-download", "href").startswith("blob:")

    page.check("#select-all")
    assert "50" in page.inner_text("#bulk-count")
    page.select_option("#bulk-action", "hold")
    page.fill("#bulk-reason", "核对库存")
    page.click("#bulk-run")
    page.wait_for_selector("#bulk-summary", timeout=30_000)
    assert TEXT[lang]["held_50"] in page.inner_text("#bulk-summary")
    assert page.locator("#bulk-table tr[data-outcome='held']").count() == 50
    shot(page, f"orders-bulk-{lang}")
    r = httpx.get(
        f"{server.base}/api/v1/worklist/orders",
        params={"channel": channel, "held": "true", "limit": 100},
        headers=server.headers(Role.VIEWER),
    )
    assert sorted(o["id"] for o in r.json()["orders"]) == sorted(ids)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_order_page_shows_lines_parcels_and_the_promise(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    [order_id] = server.post_orders(f"PAGE-{lang}", 1, lines=[("SKU-TEA", 2), ("SKU-CUP", 1)])
    body = httpx.get(f"{server.base}/api/v1/worklist/orders/{order_id}", headers=server.headers()).json()
    names = [ln["name"] for ln in body["lines"]]
    page = page_for(Role.OPS, lang=lang)
    page.goto(f"{server.base}/#/orders/{order_id}")
    page.wait_for_selector("#order-lines")
    rows = page.locator("#order-lines tbody tr")
    assert rows.count() == 2
    for n, name in enumerate(names):
        assert name and name in rows.nth(n).inner_text()
    assert "256" in rows.nth(0).inner_text()  # 2 × ¥128.00
    assert page.locator("#order-parcels tbody tr").count() == 1
    warehouse = body["parcels"][0]["warehouse_name"]
    assert warehouse in page.inner_text("#order-parcels")
    assert body["promised_at_ns"] is not None, "routing stores the promise"
    assert body["promised_at"][:10] in page.inner_text("#order-promise")
    assert page.locator("#milestone-log tbody tr").count() >= 2
    shot(page, f"order-page-{lang}")
