"""A stock-out order split across two warehouses, in Chromium, in both languages: five units of
one SKU when 上海 holds 3 and 广州 holds 2 show on the order page as two parcels, each from its
named warehouse with its quantity, and the routing panel says why the line was split and what
the extra parcel costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from ordo.domain.orders.model import Sku, Stock
from ordo.service.inventory.catalog import save_catalog
from tests.e2e.conftest import Server, shot

WHY = {
    "zh": ("需要 5 件", "最多 3 件", "多出 1 个包裹"),
    "en": ("5 units needed", "at most 3", "1 extra parcel"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_stock_out_order_ships_as_two_parcels_from_two_named_warehouses(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    sku = f"SKU-SPLIT-{lang.upper()}"
    save_catalog(
        server.ordo,
        skus=[Sku(sku, "分装咖啡豆 1kg", "coffee", 6_800, 1_000)],
        stock=[Stock("WH-SH", sku, 3), Stock("WH-GZ", sku, 2)],
    )
    body = {
        "orders": [
            {
                "channel": "tmall",
                "external_id": f"SPLIT-{lang}",
                "customer_ref": "C-9",
                "ship_to": {
                    "province": "浙江省",
                    "city": "杭州市",
                    "district": "西湖区",
                    "detail": "文三路 100 号",
                    "name": "李四",
                    "phone": "13900001111",
                },
                "lines": [{"sku": sku, "quantity": 5, "unit_price_fen": 6_800}],
                "placed_at": "2026-11-11T08:00:00+08:00",
                "paid_at": "2026-11-11T08:01:00+08:00",
            }
        ]
    }
    r = httpx.post(f"{server.base}/api/v1/orders", json=body, headers=server.headers(), timeout=30)
    assert r.status_code == 201, r.text
    [result] = r.json()["results"]
    assert result["hold_reason"] is None, result  # no single warehouse holds 5, yet it ships
    order_id = result["order_id"]

    page = page_for(Role.OPS, lang=lang)
    page.goto(f"{server.base}/#/orders/{order_id}")
    page.wait_for_selector("#order-parcels")
    parcels = page.locator("#order-parcels tbody tr")
    assert parcels.count() == 2
    shipped = {}
    for n in range(2):
        row = parcels.nth(n)
        item = row.locator(".parcel-items li")
        assert item.count() == 1 and item.get_attribute("data-sku") == sku
        shipped[row.get_attribute("data-warehouse")] = (
            row.locator(".parcel-warehouse").inner_text(),
            int(item.get_attribute("data-quantity") or 0),
            item.inner_text(),
        )
    assert shipped["WH-SH"][:2] == ("上海嘉定仓", 3) and shipped["WH-GZ"][:2] == ("广州白云仓", 2)
    assert "× 3" in shipped["WH-SH"][2] and "× 2" in shipped["WH-GZ"][2]

    # The routing panel: both parcels with their quantities, and why the line was split.
    page.wait_for_selector("#routing-panel .routing-parcels")
    panel = page.locator("#routing-panel .routing-parcels tbody tr")
    assert panel.count() == 2
    lines = {panel.nth(n).get_attribute("data-warehouse"): panel.nth(n).inner_text() for n in range(2)}
    assert f"{sku} × 3" in lines["WH-SH"] and f"{sku} × 2" in lines["WH-GZ"]
    why = page.inner_text("#routing-panel .routing-explanation")
    for words in WHY[lang]:
        assert words in why, (words, why)
    shot(page, f"stock-out-split-{lang}")


SUBSTITUTES = {"zh": ("替代商品", "每件换 2 件", "京东"), "en": ("Substitutes", "2 per unit", "JD")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_stock_out_panel_lists_the_substitutes_set_with_their_stock(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    gone, alt = f"SKU-OLD-{lang.upper()}", f"SKU-NEW-{lang.upper()}"
    save_catalog(
        server.ordo,
        skus=[Sku(gone, "旧款滤杯", "coffee", 6_800, 300), Sku(alt, "新款滤杯", "coffee", 3_400, 300)],
        stock=[Stock("WH-SH", alt, 7)],
    )
    # A JD-only substitute: the Tmall order below stays held, and the panel shows the option.
    row = {"sku": gone, "substitute": alt, "ratio": 2, "channel": "jd", "priority": 1}
    r = httpx.put(f"{server.base}/api/v1/substitutes", json={"items": [row]}, headers=server.headers())
    assert r.status_code == 200, r.text
    [order_id] = server.post_orders(f"OLD-{lang}", 1, lines=[(gone, 1)])
    page = page_for(Role.OPS, lang=lang)
    page.goto(f"{server.base}/#/orders/{order_id}")
    page.wait_for_selector(f"#stock-out .stock-line[data-sku='{gone}'] .substitute-list")
    listed = page.locator(f"#stock-out .substitute-list tr[data-substitute='{alt}']")
    assert listed.count() == 1
    text = page.inner_text(f"#stock-out .stock-line[data-sku='{gone}']")
    for words in (*SUBSTITUTES[lang], "上海嘉定仓 7", "新款滤杯"):
        assert words in text, (words, text)
    shot(page, f"stock-out-substitutes-{lang}")
