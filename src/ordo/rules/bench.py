"""``ordo bench rules``: scalar µs per order and Polars rows per second for a ~50-rule set.

Owns a synthetic rule set written as users would write it (Chinese and English, every
category) and synthetic order facts; measures (1) the compiled closures evaluating one
order at a time, hit policies included, and (2) the Polars expressions over a whole
table. Figures are named with their unit, per DESIGN §6. Never touches a database.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from ordo.rules.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.facts import COLUMNS, ms_column
from ordo.rules.parser import parse_rule

_PROVINCES = ["上海", "浙江", "江苏", "广东", "北京", "新疆", "西藏", "四川", "青海", "湖北"]
_CITIES = ["上海", "杭州", "南京", "广州", "北京", "乌鲁木齐", "拉萨", "甘孜", "西宁", "武汉"]
_CHANNELS = ["tmall", "taobao", "jd", "douyin", "pinduoduo", "pos"]
_TIERS = ["regular", "silver", "gold", "diamond"]
_TAGS = ["urgent", "紧急", "vip"]
_NS = 1_000_000_000
_T0 = 1_780_000_000 * _NS  # 2026-05-28, inside the promotion windows below


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


def synthetic_facts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        p = rng.randrange(len(_PROVINCES))
        placed = _T0 + rng.randrange(0, 30 * 86400) * _NS
        row: dict[str, Any] = {c.name: None for c in COLUMNS}
        goods = rng.randrange(1_000, 80_000_000)
        row.update(
            order_id=f"o{i}",
            channel=rng.choice(_CHANNELS),
            goods_amount_fen=goods,
            freight_fen=rng.choice([0, 800, 1200]),
            discount_fen=0,
            line_count=rng.randrange(1, 5),
            item_count=rng.randrange(1, 9),
            skus=["SKU-1"],
            categories=[],
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


def run(orders: int = 20_000, table_rows: int = 1_000_000) -> dict[str, Any]:
    """Measure both evaluators; returns one JSON-able dict of named figures."""
    import polars as pl

    from ordo.rules.compile_polars import SCHEMA, evaluate_frame

    ruleset = RuleSet.of([parse_rule(s) for s in bench_rules()])
    compiled = CompiledRuleSet(ruleset)
    facts = synthetic_facts(orders)
    t = time.perf_counter()
    fired = 0
    for f in facts:
        fired += len(compiled.evaluate(f).fired)
    scalar_s = time.perf_counter() - t

    base = pl.DataFrame(synthetic_facts(10_000, seed=11), schema=SCHEMA)
    frame = pl.concat([base] * (table_rows // base.height), rechunk=True)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        out = evaluate_frame(ruleset, frame)
        best = min(best, time.perf_counter() - t)
    return {
        "bench": "rules",
        "rules": len(ruleset.rules),
        "orders": orders,
        "scalar_us_per_order": round(scalar_s / orders * 1e6, 2),
        "scalar_orders_per_s": round(orders / scalar_s),
        "scalar_rules_fired_per_order": round(fired / orders, 2),
        "table_rows": frame.height,
        "polars_s": round(best, 3),
        "polars_rows_per_s": round(frame.height / best),
        "polars_fired_cells": int(out.select(pl.sum_horizontal(pl.all())).to_series().sum()),
        "cores": os.cpu_count(),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(), ensure_ascii=False))
