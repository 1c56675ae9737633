"""Rule text past its bounds is a 422 that names the bound (the parse, draft and edit endpoints)."""

from __future__ import annotations

from typing import Any

import pytest

from ordo.rules.language.parser import MAX_DEPTH
from ordo.service.rules.text import MAX_RULE_LINES, MAX_TEXT_CHARS
from tests.integration.api.conftest import Headers, TestClient

PARSE = "/api/v1/rules/parse"


def _refusal(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    body: dict[str, Any] = r.json()
    assert " / " in body["message"] or "第" in body["message"]
    return body


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(" * 200 + "订单金额>5" + ")" * 200 + " 则 标记 加急", "too_deep"),
        ("非" * 1_500 + "订单金额>5 则 标记 加急", "too_deep"),
        ("订单金额>² 则 标记 加急", "bad_character"),
        ("订单金额>5 且 " * 300 + "订单金额>5 则 标记 加急", "too_long"),
    ],
    ids=["brackets", "negations", "superscript", "long sentence"],
)
def test_a_sentence_past_its_bounds_is_a_422_naming_them(
    client: TestClient, admin: Headers, text: str, reason: str
) -> None:
    body = _refusal(client.post(PARSE, json={"text": text}, headers=admin))
    assert body["error"] == "rule_syntax" and body["details"]["reason"] == reason
    if reason == "too_deep":
        assert str(MAX_DEPTH) in body["message"]


def test_a_text_past_its_bounds_is_a_422_naming_them(client: TestClient, admin: Headers) -> None:
    lines = "\n".join(["订单金额>5 则 挂起"] * (MAX_RULE_LINES + 1))
    body = _refusal(client.post(PARSE, json={"text": lines}, headers=admin))
    assert body["error"] == "rule_text_too_large" and body["details"]["limit"] == "max_lines"
    body = _refusal(client.post(PARSE, json={"text": "#" * (MAX_TEXT_CHARS + 1)}, headers=admin))
    assert body["details"]["field"] == "text"
    body = _refusal(client.post("/api/v1/rules/drafts", json={"text": lines, "note": "n"}, headers=admin))
    assert body["details"]["limit"] == "max_lines"


def test_lint_of_many_contradictions_is_capped_and_says_so(client: TestClient, admin: Headers) -> None:
    text = "\n".join(["订单金额>5 则 挂起", "订单金额>7 则 自动审核通过"] * (MAX_RULE_LINES // 2))
    r = client.post(PARSE, json={"text": text, "lang": "en"}, headers=admin)
    assert r.status_code == 200, r.text
    lint = r.json()["lint"]
    assert lint[-1]["code"] == "truncated" and len(lint) <= 201
    assert len(r.content) < 1_000_000
