"""The Ask page (问数) in Chromium, in both languages: a question typed in the box gets the answer
the API gives (same rows, same SQL), with its definition; a question with no metric shows the
closest ones, and clicking one asks it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ordo.domain.access import Role
from tests.e2e.conftest import Server, shot

QUESTION = "双11期间各渠道的订单量"  # the orders are placed on 2026-11-11 (order_json)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_question_in_the_box_gets_the_apis_answer_with_its_sql(
    server: Server, page_for: Callable[..., Any], lang: str
) -> None:
    server.post_orders(f"ASK-{lang}", 3)
    viewer = server.headers(Role.VIEWER)
    asked = httpx.post(f"{server.base}/api/v1/ask", json={"question": QUESTION}, headers=viewer, timeout=30)
    expected = asked.json()
    tmall = next(r for r in expected["rows"] if r["channel"] == "tmall")
    page = page_for(Role.VIEWER, lang=lang)
    page.goto(f"{server.base}/#/ask")
    page.fill("#ask-question", QUESTION)
    page.click("#ask-form button[type=submit]")
    page.wait_for_selector("#ask-rows")
    said = page.inner_text("#ask-said")
    assert said == expected["answer"][lang]
    row = page.locator("#ask-rows tbody tr", has_text="天猫" if lang == "zh" else "Tmall")
    assert tmall["display"] in row.inner_text()
    assert expected["metric"]["definition"][lang] in page.inner_text("#ask-definition")
    page.click("#ask-sql summary")
    # Whole days, one dimension: the day sums answered; the page shows the statement that ran.
    assert "analytics_days" in expected["sql"]
    assert expected["sql"].splitlines()[0] in page.inner_text("#ask-sql pre")
    shot(page, f"ask-{lang}")


def test_an_unreadable_question_offers_the_closest_ones_one_click_away(
    server: Server, page_for: Callable[..., Any]
) -> None:
    page = page_for(Role.VIEWER, lang="zh")
    page.goto(f"{server.base}/#/ask")
    page.fill("#ask-question", "明天会下雨吗")
    page.click("#ask-form button[type=submit]")
    page.wait_for_selector("#ask-suggestions button")
    assert "你是不是想问" in page.inner_text("#ask-error")
    first = page.locator("#ask-suggestions button").first
    question = first.inner_text()
    first.click()
    page.wait_for_selector("#ask-said")
    assert page.input_value("#ask-question") == question
