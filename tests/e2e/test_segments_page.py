"""The segments page (客户分群) in Chromium, in both languages: the groups' counts are the API's,
a high-value customer's row shows their name and phone masked, and its link opens the
customer's orders, each linking to the order's page; the R × F grid holds every customer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from tests.e2e.conftest import Server, needs_assets, shot

pytestmark = needs_assets


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_segments_page_shows_the_groups_and_links_a_top_customer_to_their_orders(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    ref = f"SEG-{lang}"
    ids = server.post_orders(ref, 6, lines=[("SKU-TEA", 2)], customer_ref=ref)  # 6 × 256 yuan
    expected = httpx.get(
        f"{server.base}/api/v1/segments", headers=server.headers(Role.VIEWER), timeout=30
    ).json()
    groups = {g["id"]: g for g in expected["groups"]}
    assert any(c["customer_ref"] == ref for c in groups["important_value"]["top"])

    page = page_for(Role.VIEWER, lang=lang)
    page.goto(f"{server.base}/#/segments")
    page.wait_for_selector("#segment-cards")
    for gid, g in groups.items():
        card = page.locator(f".segment-card[data-segment='{gid}']")
        assert (g["zh"] if lang == "zh" else g["en"]) in card.inner_text()
        assert card.locator(".kpi-value").inner_text() == str(g["customers"])
    cells = page.locator("#rfm-grid td[data-r]")
    counted = sum(int(x) for x in cells.all_inner_texts() if x.strip().isdigit())
    assert counted == expected["customers"]
    row = page.locator(f"#segment-important_value tr[data-customer='{ref}']")
    assert row.locator(".masked-name").inner_text() == "张**"
    assert row.locator(".masked-phone").inner_text() == "138****1234"
    assert "13812341234" not in page.content() and "张三丰" not in page.content()
    shot(page, f"segments-{lang}")
    row.locator("a.customer-orders").click()
    page.wait_for_selector("#customer-orders")
    listed = page.locator("#customer-orders tbody tr a").all_inner_texts()
    assert sorted(listed) == sorted(ids)
    page.locator("#customer-orders tbody tr a").first.click()
    page.wait_for_url(f"**/#/orders/{listed[0]}")


def test_the_segments_link_is_in_the_navigation_for_every_role(
    server: Server, page_for: Callable[..., Any]
) -> None:
    for role in (Role.VIEWER, Role.OPS):
        page = page_for(role, lang="en")
        link = page.locator("#nav a[href='#/segments']")
        assert link.is_visible() and link.inner_text() == "Segments"
