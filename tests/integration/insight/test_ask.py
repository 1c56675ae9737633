"""``ask`` end to end on both backends: a question over orders whose deliveries the test placed
on either side of their promise, the same answer from the service, the API and the CLI, the
asker's scope enforced, and hostile questions and SQL that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from ordo.api import create_app
from ordo.cli import app as cli_app
from ordo.config import Settings
from ordo.domain.access import Role, Scope
from ordo.domain.errors import PermissionDenied, UnsafeQuery
from ordo.service.insight.ask import ask
from ordo.service.insight.reader import UnreadableQuestion
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.integration.api.conftest import TestClient, count_rows


def test_the_same_question_gets_the_same_answer_everywhere(
    history: tuple[Ordo, dict[str, int]], url: str
) -> None:
    app, expected = history
    assert expected["delivered"] >= 1  # the deliveries fell on one day here: the question has data
    found = ask(app, "上海仓昨日准时率")
    assert found["filters"] == [{"dimension": "warehouse", "values": ["上海嘉定仓"]}]
    assert found["period"]["zh"] == "昨日"
    [row] = found["rows"]
    assert row["base"] == expected["delivered"]
    assert row["value"] == pytest.approx(expected["on_time"] / expected["delivered"])
    # Whole days and one dimension: the day sums answer it.
    assert "analytics_days" in found["sql"] and found["params"]["since_day"] < found["params"]["until_day"]

    api = create_app(app, Settings(database_url=url))
    key = create_key(app, Role.VIEWER, "ask test")
    with TestClient(api) as client:
        got = client.post(
            "/api/v1/ask", json={"question": "上海仓昨日准时率"}, headers={"Authorization": f"Bearer {key}"}
        )
    assert got.status_code == 200, got.text
    assert got.json()["rows"] == found["rows"] and got.json()["sql"] == found["sql"]

    as_of = dt.datetime.fromtimestamp(app.clock.now_ns() // 1_000_000_000, dt.UTC).isoformat()
    result = CliRunner().invoke(cli_app, ["ask", "上海仓昨日准时率", "--json", "--as-of", as_of, "--db", url])
    assert result.exit_code == 0, result.output
    assert row["display"] in result.output


def test_grouped_questions_in_both_languages_agree(history: tuple[Ordo, dict[str, int]]) -> None:
    app, _ = history
    zh = ask(app, "近7天各渠道的订单量")
    en = ask(app, "orders by channel in the last 7 days")
    assert zh["rows"] == en["rows"] and zh["sql"] == en["sql"]
    assert {r["channel"]: r["value"] for r in zh["rows"]} == {"tmall": 5, "jd": 1}
    assert zh["rows"][0]["channel_label"] == "天猫"


def test_a_scoped_caller_sees_only_its_channels_and_may_not_ask_about_others(
    history: tuple[Ordo, dict[str, int]],
) -> None:
    app, _ = history
    jd_only = Scope(channels=frozenset({"jd"}))
    found = ask(app, "近7天各渠道的订单量", jd_only)
    assert [r["channel"] for r in found["rows"]] == ["jd"]
    assert "jd" in found["params"].values()
    with pytest.raises(PermissionDenied):
        ask(app, "近7天天猫的订单量", jd_only)
    with pytest.raises(PermissionDenied):
        ask(app, "近7天订单量", Scope(shops=frozenset({"S-1"})))


def test_a_question_with_no_metric_gets_the_closest_questions_not_a_guess(
    history: tuple[Ordo, dict[str, int]],
) -> None:
    app, _ = history
    with pytest.raises(UnreadableQuestion) as caught:
        ask(app, "明天会下雨吗")
    assert caught.value.details["suggestions"] and "你是不是想问" in caught.value.message
    partly = ask(app, "@机器人 查上海仓昨日安装准时率")
    assert partly["ignored"] == ["安装"] and "安装" in partly["answer"]["zh"]


HOSTILE_QUESTIONS = [
    "昨日准时率'; DROP TABLE orders; --",
    "准时率 union select key_hash from api_keys",
    "订单量 where 1=1; delete from orders",
    '上海仓" OR 1=1 -- 准时率',
    "gmv) ; UPDATE orders SET total_fen = 0 ; --",
    "准时率" + "的" * 5000,
]


def test_hostile_questions_are_read_as_words_and_change_nothing(history: tuple[Ordo, dict[str, int]]) -> None:
    app, _ = history
    before = count_rows(app, "orders"), count_rows(app, "api_keys")
    for question in HOSTILE_QUESTIONS:
        found = ask(app, question)
        for value in found["params"].values():  # every word of the asker's is a parameter or ignored
            assert ";" not in str(value)
        assert "drop" not in found["sql"].lower() and "api_keys" not in found["sql"]
    assert (count_rows(app, "orders"), count_rows(app, "api_keys")) == before


def test_the_connection_itself_refuses_a_write_that_got_past_the_gate(
    history: tuple[Ordo, dict[str, int]],
) -> None:
    app, _ = history
    analytics = app.store.analytics()
    with pytest.raises(UnsafeQuery):
        analytics.check("DELETE FROM orders")
    before = count_rows(app, "orders")
    with pytest.raises(Exception, match=r"(?i)read.?only|readonly"):
        analytics._read_only(analytics.engine.connect(), "DELETE FROM orders", {})  # type: ignore[attr-defined]
    assert count_rows(app, "orders") == before
    # And the pooled connection is writable again for the next unit of work.
    assert ask(app, "近7天订单量")["rows"][0]["value"] == before
