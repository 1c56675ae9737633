"""The risk radar page in Chromium: a typhoon track pasted in, the exposed orders listed, a
plan proposed by an operator, refused to its author, approved by an admin, executed; the
re-routed order's explanation names the typhoon; the event ended from the page."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ordo.domain.access import Role
from tests.e2e.conftest import Server, shot


def _track() -> str:
    now = datetime.now(UTC)
    feature = {
        "type": "Feature",
        "id": f"TC-E2E-{time.time_ns()}",
        "geometry": {"type": "LineString", "coordinates": [[115.6, 20.6], [114.2, 22.2], [113.2, 23.3]]},
        "properties": {
            "kind": "typhoon",
            "title": "台风海葵 E2E",
            "severity": "severe",
            "confidence": 0.9,
            "radius_km": 100,
            "starts": (now - timedelta(hours=1)).isoformat(),
            "ends": (now + timedelta(days=2)).isoformat(),
        },
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)


def test_the_risk_radar_takes_a_typhoon_from_a_pasted_track_to_an_executed_plan(
    server: Server, page_for: Callable[..., Any]
) -> None:
    ids = server.post_orders("TYPHOON", 2, province="广东省", city="深圳市")
    ops = page_for(Role.OPS)
    ops.goto(f"{server.base}/#/risk")
    ops.wait_for_selector("#feed-form")
    ops.fill("#feed-document", _track())
    ops.click("#feed-submit")
    ops.wait_for_selector("#feed-result:has-text('已读取 1 个事件')")
    ops.wait_for_selector("#risk-orders")
    listed = set(
        ops.locator("#risk-orders tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.order)")
    )
    assert set(ids) <= listed
    assert "发货仓在影响区" in ops.inner_text("#risk-orders")
    assert ops.locator("#risk-regions tbody tr").first.inner_text().startswith("广东省")
    assert ops.locator("#risk-events tbody tr").count() >= 1
    if ops.evaluate("() => Boolean(window.echarts)"):
        ops.wait_for_selector("#risk-map canvas")
        series = "echarts.getInstanceByDom(document.getElementById('risk-map')).getOption().series"
        assert ops.evaluate(f"() => {series}[0].data.length") >= 1
        assert "广州白云仓" in ops.evaluate(f"() => {series}[1].data.map((d) => d.name)")
    ops.click("#propose-plan")
    ops.wait_for_selector("#plan[data-status='proposed']")
    assert ops.inner_text("#plan-tier") == "审批级别 L2"
    shot(ops, "risk-plan")
    ops.click("#plan-approve")
    ops.wait_for_selector("#plan-result[data-state='error']")
    assert "不能审批自己" in ops.inner_text("#plan-result")

    admin = page_for(Role.ADMIN)
    admin.goto(f"{server.base}/#/risk")
    admin.locator("#risk-events a.event-link", has_text="台风海葵 E2E").first.click()
    admin.wait_for_selector("#plan[data-status='proposed']")
    admin.click("#plan-approve")
    admin.wait_for_selector("#plan[data-status='approved']")
    admin.click("#plan-execute")
    admin.wait_for_selector("#plan[data-status='executed']")
    assert "已执行" in admin.inner_text("#plan-done")
    shot(admin, "risk-executed")

    routing = httpx.get(f"{server.base}/api/v1/orders/{ids[0]}/routing", headers=server.headers(Role.VIEWER))
    last = routing.json()["attempts"][-1]
    assert last["trigger"] == "risk" and "台风「台风海葵 E2E」" in last["explanation"]

    admin.click("#end-event")
    admin.wait_for_selector("#event[data-status='restored']")
    assert admin.inner_text("#event-status") == "已恢复"

    viewer = page_for(Role.VIEWER, lang="en")
    viewer.goto(f"{server.base}/#/risk")
    viewer.wait_for_selector("#risk-list .card")
    assert viewer.locator("#feed-form").count() == 0
    assert "Risk radar" in viewer.inner_text("#page h1")
