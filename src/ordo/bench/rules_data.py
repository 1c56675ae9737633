"""Synthetic rule sets and order facts for ``ordo bench rules`` (and the backtest bench).

Owns two rule sets written as business people write them, in Chinese and English:
:func:`bench_rules` (~50 sentences across every category, thresholds varied) and
:func:`five_condition_rules` (100 rules of exactly five conditions each: amounts,
channel, province lists and region groups, tags, SKU membership, customer tier, return
rate, weight, remark keywords …), and :func:`synthetic_facts`, seeded random orders whose
values those rules actually hit. Pure data: no I/O, no timing.
"""

from __future__ import annotations

import random
from typing import Any

from ordo.rules.evaluation.facts import COLUMNS, ms_column

_PROVINCES = ["上海", "浙江", "江苏", "广东", "北京", "新疆", "西藏", "四川", "青海", "湖北"]
_CITIES = ["上海", "杭州", "南京", "广州", "北京", "乌鲁木齐", "拉萨", "甘孜", "西宁", "武汉"]
_CHANNELS = ["tmall", "taobao", "jd", "douyin", "pinduoduo", "pos"]
_TIERS = ["regular", "silver", "gold", "diamond"]
_TAGS = ["urgent", "紧急", "vip"]
_NS = 1_000_000_000
_T0 = 1_780_000_000 * _NS  # 2026-05-28, inside the promotion windows below

_CH_ZH = ["天猫", "京东", "抖音", "拼多多", "淘宝", "门店"]
_CH_EN = ["tmall", "jd", "douyin", "pinduoduo", "taobao", "pos"]
_TIER_ZH = ["普通", "银卡", "金卡", "钻石"]
_TIER_EN = ["regular", "silver", "gold", "diamond"]
_GROUPS = ["华东", "偏远地区", "华南", "西南"]
_REMOTE_EN = ["xinjiang", "tibet", "qinghai", "sichuan"]
_CARRIERS = ["ems", "sf", "zto", "jdl"]


def bench_rules() -> list[str]:
    """~50 sentences across every category, thresholds varied so hit rates differ."""
    out = [
        "如果 订单来自上海 且 含赠品 则 运费减免5元",
        "当 客户等级为钻石 且 订单金额>50万 时 标记 加急 并 通知 区域总监",
        "满299减50 叠加赠品 GIFT-001 (渠道为天猫, 活动期 2026-06-01 至 2026-06-18)",
        '当 订单含"紧急"标签 且 目的地属于 地震灾区 时 红标预警 并 推送 区域总监',
        "when customer.tier = diamond and order.amount > 500000 then tag urgent, notify regional_director",
        "when predicted_stock_risk > 15% then freeze price_change for role sales_guide",
        "新疆,西藏 走 邮政",
        "已支付 超过 10分钟 未 库存锁定 则 重试锁库 并 通知 运营",
        '当 客户在黑名单 时 转人工审核 原因 "黑名单"',
        '当 备注含"退款"、"投诉" 时 转人工审核 原因 "备注关键词"',
        '当 客户退货率 > 30% 时 转人工审核 原因 "高退货率"',
        "当 订单金额 < 100 且 客户等级 为 金卡 时 自动审核通过",
        "目的地属于 偏远地区 则 不拆单",
        "当 目的地属于 华东 时 使用权重方案 大促",
    ]
    for i in range(12):
        out.append(
            f'当 订单金额 > {200 + 150 * i} 且 渠道 为 {["天猫", "京东", "抖音"][i % 3]} 时 标记 "档位{i}"'
        )
        out.append(
            f"when order.item_count >= {2 + i % 5} and order.goods_amount > {1000 * (i + 1)} then notify ops"
        )
        out.append(f"每满{100 + 50 * i}送 GIFT-{i:03d} 最多3件 (渠道为{['天猫', '拼多多', '京东'][i % 3]})")
    for i in range(3):
        out.append(f"当 已分仓 超过 {i + 1}小时 未 已出库 时 催促仓库 并 通知 仓库主管")
    return out


def five_condition_rules(n: int = 100) -> list[str]:
    """``n`` rules of exactly five conditions each, ten shapes in both languages."""
    return [_five(i) for i in range(n)]


def _five(i: int) -> str:
    ch, che = _CH_ZH[i % 6], _CH_EN[(i + 1) % 6]
    p1, p2 = _PROVINCES[i % 10], _PROVINCES[(i + 3) % 10]
    tz, te = _TIER_ZH[i % 4], _TIER_EN[(i + 2) % 4]
    amt, sku, sku2 = 100 + 37 * i, f"SKU-{i % 50:03d}", f"SKU-{(i + 7) % 50:03d}"
    k = i % 10
    if k == 0:
        return (f"当 渠道 为 {ch} 且 订单金额 > {amt} 且 收货省份 属于 {p1}、{p2} 且 客户等级 为 {tz} "
                f'且 订单含 "加急" 标签 时 标记 "档位{i}"')  # fmt: skip
    if k == 1:
        return (f"当 渠道 为 {ch} 且 商品件数 >= {2 + i % 4} 且 客户退货率 > {10 + i % 20}% "
                f'且 备注 含 "退款"、"投诉" 且 目的地 属于 {_GROUPS[i % 4]} '
                f'时 转人工审核 原因 "规则{i}"')  # fmt: skip
    if k == 2:
        return (f"当 客户等级 为 {tz} 且 含赠品 且 商品 含 {sku}、{sku2} 且 收货省份 不属于 新疆、西藏 "
                f"且 订单重量 < {5 + i % 10}公斤 "
                f"时 满{199 + 10 * i}减{20 + i % 30} (渠道为{ch})")  # fmt: skip
    if k == 3:
        return (f"when channel = {che} and order.weight > {1 + i % 8}kg and province in "
                f"{_REMOTE_EN[i % 4]}, gansu and order.item_count >= {1 + i % 3} and customer.tier != {te} "
                f"then use carrier {_CARRIERS[i % 4]}")  # fmt: skip
    if k == 4:
        return (f"when channel = {che} and order.goods_amount >= {amt} and order.sku contains {sku}, "
                f"SKU-{(i + 3) % 50:03d} and customer.return_rate < {20 + i % 10}% and not order.has_gift "
                "then notify ops")  # fmt: skip
    if k == 5:
        return (f"如果 渠道 为 {ch} 且 订单金额 >= {50 + i} 且 收货省份 属于 上海、江苏、浙江 "
                f"且 订单重量 < {3 + i % 5}公斤 且 客户等级 为 {tz}、钻石 则 包邮")  # fmt: skip
    if k == 6:
        return (f"当 渠道 为 {ch} 且 商品件数 >= {3 + i % 3} 且 商品品类 含 cat{i % 5} 且 订单金额 > {amt} "
                f"且 收货城市 属于 上海、杭州、南京、广州 时 赠送 GIFT-{i:03d} 最多2件")  # fmt: skip
    if k == 7:
        return (f"when channel = {che} and order.amount > {amt * 3} and customer.ltv > {5000 + 100 * i} "
                f"and destination in east_china and tags contains vip then tag vip_{i}, "
                "notify regional_director")  # fmt: skip
    if k == 8:
        return (f"当 渠道 为 {ch} 且 客户在黑名单 且 订单金额 > {amt} 且 收货省份 属于 {p1}、{p2} "
                f'且 商品行数 >= 2 时 转人工审核 原因 "黑名单{i}"')  # fmt: skip
    return (f"当 渠道 为 {ch} 且 目的地 属于 {_GROUPS[i % 4]} 且 订单重量 > {2 + i % 6}公斤 "
            f"且 商品件数 >= {2 + i // 50} 且 客户等级 为 {tz} 时 使用权重方案 大促")  # fmt: skip


def synthetic_facts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` orders' facts (every column present), values spread so the rules above hit."""
    rng = random.Random(seed)
    rows = []
    skus = [f"SKU-{i:03d}" for i in range(50)]
    for i in range(n):
        p = rng.randrange(len(_PROVINCES))
        placed = _T0 + rng.randrange(0, 30 * 86400) * _NS
        row: dict[str, Any] = {c.name: None for c in COLUMNS}
        goods = rng.randrange(1_000, 80_000_000)
        lines = rng.randrange(1, 5)
        row.update(
            order_id=f"o{i}",
            channel=rng.choice(_CHANNELS),
            goods_amount_fen=goods,
            freight_fen=rng.choice([0, 800, 1200]),
            discount_fen=0,
            line_count=lines,
            item_count=lines + rng.randrange(0, 5),
            skus=rng.sample(skus, lines),
            categories=[f"cat{rng.randrange(5)}"],
            has_gift=rng.random() < 0.2,
            tags=rng.sample(_TAGS, rng.randrange(0, 2)),
            remark=rng.choice(["", "尽快发货", "要退款"]),
            province=_PROVINCES[p],
            city=_CITIES[p],
            district="",
            weight_g=rng.randrange(100, 20_000),
            placed_at_ns=placed,
            now_ns=placed + rng.randrange(0, 6 * 3600) * _NS,
            customer_tier=rng.choice(_TIERS),
            customer_ltv_fen=rng.randrange(0, 10**8),
            customer_return_rate=rng.random() * 0.5,
            customer_blacklisted=rng.random() < 0.01,
            predicted_stock_risk=rng.random() * 0.3,
        )
        row["order_amount_fen"] = goods + row["freight_fen"]
        row[ms_column("created")] = placed
        row[ms_column("paid")] = placed + 60 * _NS
        if rng.random() < 0.7:
            row[ms_column("stock_locked")] = placed + 120 * _NS
            row[ms_column("routed")] = placed + 180 * _NS
        rows.append(row)
    return rows
