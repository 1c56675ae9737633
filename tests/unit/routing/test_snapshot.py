"""Snapshots are plain data, replay to the same plan, and explain themselves in zh and en."""

from __future__ import annotations

import json

import pytest

from ordo.domain.routing import explain, replay, route, route_one

from .net import SH, XJ, context, request
from .test_split import ABC, SCATTERED


def test_a_snapshot_is_json_and_names_every_warehouse_once() -> None:
    snap = route([request(to=SH)], context())[0].snapshot()
    again = json.loads(json.dumps(snap, ensure_ascii=False))
    assert again == snap
    named = [c["warehouse"] for c in snap["candidates"]] + [
        w for g in snap["excluded"] for w in g["warehouses"]
    ]
    assert sorted(named) == sorted(["SHA", "HGH", "NKG", "URC", "SZV"])
    assert set(snap["candidates"][0]["raw"]) == set(snap["objectives"])
    assert snap["profile"]["version"]


@pytest.mark.parametrize(
    "req, stock",
    [
        (request(to=SH), None),
        (request(to=XJ), None),
        (request(ABC, to=SH), SCATTERED),
        (request(ABC, to=SH, goods_fen=1), SCATTERED),
    ],
)
def test_replaying_a_snapshot_gives_the_same_plan(req, stock) -> None:  # type: ignore[no-untyped-def]
    for plan in (route([req], context(stock))[0], route_one(req, context(stock))):
        snap = json.loads(json.dumps(plan.snapshot()))
        assert replay(snap) == [p.warehouse_id for p in plan.parcels]


def test_a_wave_of_one_decides_like_the_single_order_path() -> None:
    for to in (SH, XJ, "浙江省", "江苏省"):
        a = route([request(to=to)], context())[0]
        b = route_one(request(to=to), context())
        assert a.parcels == b.parcels
        assert a.snapshot()["candidates"] == b.snapshot()["candidates"]


def test_explanation_in_chinese_says_why_this_and_why_not_that() -> None:
    ctx = context({"SHA": {"A": 10}, "HGH": {"A": 10}, "NKG": {}})
    snap = route([request(to=SH)], ctx)[0].snapshot()
    text = explain(snap, "zh", other="HGH")
    assert "选择 上海中心仓（SHA）" in text
    assert "未选 HGH：得分" in text and "时效" in text
    assert "库存不足" in explain(snap, "zh", other="NKG")


def test_explanation_in_english_gives_the_numbers() -> None:
    snap = route([request(to=SH)], context())[0].snapshot()
    text = explain(snap, "en", other="URC")
    assert "chose SHA" in text and "weight profile daily" in text
    assert "not URC: score" in text and "delivery time" in text


def test_an_unroutable_order_explains_itself() -> None:
    snap = route([request(ABC, to=SH, goods_fen=1)], context(SCATTERED))[0].snapshot()
    assert "拆单" in explain(snap, "zh")
    assert "split" in explain(snap, "en")
