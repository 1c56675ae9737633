"""Hypothesis strategies: random order facts and random rules over the documented schema."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from ordo.domain.orders.milestones import Milestone
from ordo.rules.evaluation.compile_py import day_start_ns
from ordo.rules.evaluation.facts import COLUMNS, ms_column
from ordo.rules.language import ast as A

NS = 1_000_000_000
DAY0 = date(2026, 6, 1)
T0 = day_start_ns(DAY0)
PROVINCES = ["上海", "浙江", "新疆", "西藏", "四川"]
CITIES = ["上海", "杭州", "乌鲁木齐", "拉萨", "甘孜", "成都"]
CHANNELS = ["tmall", "jd", "douyin", "pos"]
TIERS = ["regular", "gold", "diamond"]
TAGS = ["urgent", "紧急", "vip"]
SKUS = ["GIFT-001", "SKU-A", "SKU-B"]
REMARKS = ["", "请尽快退款", "加急发货", "投诉"]
MILESTONES = [
    Milestone.PAID.value,
    Milestone.STOCK_LOCKED.value,
    Milestone.ROUTED.value,
    Milestone.OUTBOUND.value,
]


def _maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {c.name: None for c in COLUMNS}
    placed = T0 + draw(st.integers(-3 * 86400, 20 * 86400)) * NS
    goods = draw(st.integers(0, 1_000_000)) * 100
    row.update(
        order_id="o",
        channel=draw(st.sampled_from(CHANNELS)),
        goods_amount_fen=goods,
        freight_fen=draw(st.sampled_from([0, 500, 1200])),
        discount_fen=0,
        line_count=draw(st.integers(1, 4)),
        item_count=draw(st.integers(1, 10)),
        skus=draw(st.lists(st.sampled_from(SKUS), unique=True, max_size=2)),
        categories=[],
        has_gift=draw(st.booleans()),
        tags=draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2)),
        remark=draw(st.sampled_from(REMARKS)),
        province=draw(st.sampled_from(PROVINCES)),
        city=draw(st.sampled_from(CITIES)),
        district="",
        weight_g=draw(_maybe(st.integers(0, 50_000))),
        placed_at_ns=placed,
        now_ns=placed + draw(st.integers(0, 48 * 3600)) * NS,
        customer_tier=draw(_maybe(st.sampled_from(TIERS))),
        customer_return_rate=draw(_maybe(st.sampled_from([0.0, 0.1, 0.15, 0.3, 0.5, 1.0]))),
        customer_blacklisted=draw(_maybe(st.booleans())),
        predicted_stock_risk=draw(_maybe(st.sampled_from([0.0, 0.05, 0.15, 0.2, 0.9]))),
        carrier=draw(_maybe(st.sampled_from(["ems", "sf"]))),
    )
    row["order_amount_fen"] = goods + row["freight_fen"]
    for m in MILESTONES:
        offset = draw(_maybe(st.integers(0, 24 * 3600)))
        row[ms_column(m)] = None if offset is None else placed + offset * NS
    return row


ops = st.sampled_from(list(A.Op))
money = st.integers(0, 1_000_000).map(lambda y: y * 100)
days = st.integers(-2, 20).map(lambda d: DAY0 + timedelta(days=d))


@st.composite
def date_range(draw: st.DrawFn) -> A.DateRange:
    a, b = sorted([draw(days), draw(days)])
    return A.DateRange("order.placed_date", a, b)


atoms: st.SearchStrategy[A.Condition] = st.one_of(
    st.builds(A.Compare, st.just("order.amount"), ops, money),
    st.builds(A.Compare, st.just("order.goods_amount"), ops, money),
    st.builds(A.Compare, st.just("order.item_count"), ops, st.integers(0, 12)),
    st.builds(A.Compare, st.just("order.weight"), ops, st.integers(0, 50).map(lambda k: k * 1000)),
    st.builds(A.Compare, st.just("customer.return_rate"), ops, st.sampled_from([0.0, 0.1, 0.15, 0.3, 1.0])),
    st.builds(A.Compare, st.just("signal.predicted_stock_risk"), ops, st.sampled_from([0.05, 0.15, 0.5])),
    st.builds(A.Compare, st.just("order.placed_date"), ops, days),
    st.builds(
        A.InSet,
        st.just("channel"),
        st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(
        A.InSet,
        st.just("customer.tier"),
        st.lists(st.sampled_from(TIERS), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(A.InSet, st.just("route.carrier"), st.sampled_from([("ems",), ("sf",)])),
    st.builds(
        A.InSet,
        st.just("ship_to.place"),
        st.lists(st.sampled_from(PROVINCES + CITIES), min_size=1, max_size=2, unique=True).map(tuple),
        st.sampled_from([(), ("remote",), ("east_china",), ("quake_zone",)]),
    ),
    st.builds(
        A.InSet,
        st.just("ship_to.province"),
        st.lists(st.sampled_from(PROVINCES), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(
        A.Contains,
        st.just("order.tags"),
        st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(
        A.Contains,
        st.just("order.skus"),
        st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True).map(tuple),
    ),
    st.builds(A.Contains, st.just("order.remark"), st.sampled_from([("退款",), ("投诉", "加急")])),
    st.builds(A.IsTrue, st.sampled_from(["order.has_gift", "customer.blacklisted"])),
    date_range(),
    st.builds(A.Reached, st.sampled_from(MILESTONES)),
    st.builds(A.Elapsed, st.sampled_from(MILESTONES), ops, st.sampled_from([60, 600, 3600, 7200, 86400])),
)

conditions: st.SearchStrategy[A.Condition] = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(A.Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: A.All(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: A.AnyOf(tuple(xs))),
    ),
    max_leaves=6,
)

actions: st.SearchStrategy[A.Action] = st.one_of(
    st.builds(A.Tag, st.sampled_from(["urgent", "紧急", "vip"])),
    st.just(A.RedFlag()),
    st.builds(A.Notify, st.sampled_from(["ops", "regional_director"])),
    st.builds(A.Hold, st.sampled_from(["", "地址异常"])),
    st.just(A.Approve()),
    st.builds(A.ThresholdOff, money.filter(bool), money, st.booleans(), st.none(), st.booleans()),
    st.builds(A.Discount, st.integers(1, 99).map(lambda x: x * 100), st.booleans()),
    st.just(A.FreightWaive()),
    st.builds(A.FreightOff, money),
    st.builds(A.Gift, st.sampled_from(SKUS), st.integers(1, 3)),
    st.builds(A.UseCarrier, st.sampled_from(["ems", "sf"])),
    st.builds(A.Playbook, st.sampled_from(["retry_stock_lock", "escalate"])),
)


@st.composite
def rules(draw: st.DrawFn) -> A.Rule:
    cond = draw(conditions)
    acts = tuple(draw(st.lists(actions, min_size=1, max_size=2)))
    scope = draw(st.one_of(st.just(A.Always()), conditions))
    return A.Rule(A.category_of(cond, acts), cond, acts, draw(st.integers(0, 3)), scope)
