"""The tasks a trigger raised show on the exceptions workbench, in both languages: a viewer sees
them, operations take one and close it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from ordo.service.triggers import catch_up
from tests.e2e.conftest import Server, needs_assets, shot
from tests.integration.service.routing_helpers import go_live

pytestmark = needs_assets


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_raised_task_is_taken_and_closed_on_the_workbench(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    go_live(server.ordo, "如果 连续2次 在抖音 咨询 未下单 则 创建任务 交给 销售 期限 4小时")
    customer = f"WEB-{lang}"
    for text in ("请问这款茶叶有没有礼盒装？", "你好，想问下龙井是今年的新茶吗"):
        r = httpx.post(
            f"{server.base}/api/v1/service/messages",
            json={"text": text, "customer": customer, "channel": "douyin"},
            headers=server.headers(Role.OPS),
        )
        assert r.status_code == 200, r.text
    catch_up(server.ordo)
    [task] = [
        x
        for x in httpx.get(f"{server.base}/api/v1/tasks", headers=server.headers()).json()["items"]
        if x["customer_ref"] == customer
    ]

    viewer = page_for(Role.VIEWER, lang=lang)
    viewer.goto(f"{server.base}/#/exceptions")
    row = viewer.locator(f"#tasks-table tr[data-task='{task['id']}']")
    row.wait_for()
    assert row.locator(".task-owner").inner_text() == ("销售" if lang == "zh" else "Sales")
    # The default title in the page's language only.
    assert row.locator(".task-title").inner_text() == (
        f"客户 {customer} 连续 2 次咨询" if lang == "zh" else f"customer {customer}: 2 inquiry in a row"
    )
    assert viewer.locator("#tasks-table .task-close").count() == 0  # viewers cannot act

    page = page_for(Role.OPS, lang=lang)
    page.goto(f"{server.base}/#/exceptions")
    row = page.locator(f"#tasks-table tr[data-task='{task['id']}']")
    row.locator(".task-take").click()
    page.wait_for_selector("#task-message:has-text('%s')" % ("已指派" if lang == "zh" else "given to"))
    shot(page, f"tasks-{lang}")
    page.locator(f"#tasks-table tr[data-task='{task['id']}'] .task-close").click()
    page.wait_for_selector("#task-message:has-text('%s')" % ("已关闭" if lang == "zh" else "closed"))
    page.locator(f"#tasks-table tr[data-task='{task['id']}']").wait_for(state="detached")
    got = httpx.get(f"{server.base}/api/v1/tasks/{task['id']}", headers=server.headers()).json()
    assert got["status"] == "closed"
