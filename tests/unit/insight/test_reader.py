"""Questions → readings: time words, names, groups, and what is left over."""

from __future__ import annotations

import datetime as dt

import pytest

from ordo.service.insight.catalog import default_catalog
from ordo.service.insight.periods import NS, SHANGHAI, find_period
from ordo.service.insight.reader import Name, UnreadableQuestion, Vocabulary, read_question

NOW = int(dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI).timestamp()) * NS
VOCAB = Vocabulary(
    (
        Name("warehouse", "南京江宁区域仓", ("南京江宁区域仓", "南京仓")),
        Name("warehouse", "上海嘉定中心仓", ("上海嘉定中心仓", "上海仓")),
        Name("carrier", "京东物流", ("京东物流", "jdl")),
        Name("carrier", "顺丰速运", ("顺丰速运", "顺丰", "sf")),
        Name("channel", "jd", ("jd", "京东")),
        Name("channel", "douyin", ("douyin", "抖音")),
        Name("province", "广东省", ("广东省", "广东", "guangdong")),
        Name("city", "南京市", ("南京市", "南京")),
    )
)


def read(q: str):  # type: ignore[no-untyped-def]
    return read_question(q, default_catalog(), VOCAB, NOW)


def _day(y: int, m: int, d: int) -> int:
    return int(dt.datetime(y, m, d, tzinfo=SHANGHAI).timestamp()) * NS


@pytest.mark.parametrize(
    ("words", "since", "until"),
    [
        ("昨日", (2026, 12, 5), (2026, 12, 6)),
        ("昨天", (2026, 12, 5), (2026, 12, 6)),
        ("yesterday", (2026, 12, 5), (2026, 12, 6)),
        ("前天", (2026, 12, 4), (2026, 12, 5)),
        ("上周", (2026, 11, 23), (2026, 11, 30)),
        ("last week", (2026, 11, 23), (2026, 11, 30)),
        ("本月", (2026, 12, 1), (2026, 12, 7)),
        ("上个月", (2026, 11, 1), (2026, 12, 1)),
        ("近7天", (2026, 11, 30), (2026, 12, 7)),
        ("最近七天", (2026, 11, 30), (2026, 12, 7)),
        ("past 14 days", (2026, 11, 23), (2026, 12, 7)),
        ("双11期间", (2026, 10, 20), (2026, 11, 12)),
        ("双十一", (2026, 10, 20), (2026, 11, 12)),
        ("618期间", (2026, 6, 1), (2026, 6, 19)),
    ],
)
def test_time_words_are_shanghai_calendar_periods(
    words: str, since: tuple[int, int, int], until: tuple[int, int, int]
) -> None:
    p = find_period(words, NOW)
    assert p is not None and (p.since_ns, p.until_ns) == (_day(*since), _day(*until))


def test_the_seed_question_reads_warehouse_day_and_metric() -> None:
    r = read("@机器人 查南京仓昨日准时率")
    assert r.metric.key == "on_time_rate" and r.period.zh == "昨日"
    assert r.filters == (("warehouse", ("南京江宁区域仓",)),) and not r.group_by and not r.ignored


def test_a_warehouse_is_not_read_as_its_city_too() -> None:
    assert dict(read("南京仓上周拆单率").filters) == {"warehouse": ("南京江宁区域仓",)}
    assert dict(read("南京上周拆单率").filters) == {"city": ("南京市",)}


def test_the_longest_name_wins_carrier_before_channel() -> None:
    assert dict(read("京东物流昨日延迟签收").filters) == {"carrier": ("京东物流",)}
    assert dict(read("京东昨日订单量").filters) == {"channel": ("jd",)}


def test_groups_and_superlatives() -> None:
    r = read("which carrier had the most late deliveries in guangdong last week")
    assert r.metric.key == "late_deliveries" and [d.key for d in r.group_by] == ["carrier"]
    assert dict(r.filters) == {"province": ("广东省",)} and r.descending and r.top and not r.ignored
    low = read("上周揽收及时率最低的快递")
    assert [d.key for d in low.group_by] == ["carrier"] and not low.descending
    assert [d.key for d in read("上周各渠道的拆单率").group_by] == ["channel"]


def test_a_filter_word_alone_does_not_group() -> None:
    r = read("抖音渠道昨日客单价")
    assert dict(r.filters) == {"channel": ("douyin",)} and not r.group_by


def test_words_not_understood_are_reported_not_dropped() -> None:
    assert read("南京仓昨日安装准时率").ignored == ("安装",)


def test_no_metric_is_refused_with_suggestions() -> None:
    with pytest.raises(UnreadableQuestion) as caught:
        read("南京仓昨天怎么样")
    assert caught.value.details["suggestions"] and caught.value.details["field"] == "question"
