"""``ordo bench ask``: questions in plain language, right and fast.

Two worlds of synthetic orders, bulk-inserted with what the metrics read (warehouses and
carriers by name, routing decisions with split parcels, outbound / collected / delivered /
return milestones on either side of the promise, incidents closed by Ordo or by people,
holds and cancellations), placed over the 40 days before "now":

* **correctness** (``check_orders``, default 20,000): each question of the bilingual corpus
  (``bench/data/ask_questions.jsonl``: the question and the reading a person means by it) is
  asked through :func:`ordo.service.insight.ask.ask`; it is *correct* when the reading is the
  intended one and every row returned equals what an independent Python pass over the raw rows
  computes for that intended reading. Reported for the whole corpus and for the held-out share
  (about 30 %, chosen by a hash of the question, written before any tuning).
* **speed** (``orders``, default 1,000,000): every question of the corpus asked once more,
  end to end (reading, statement, gate, read-only run, answer): p50 / p95 / max ms.

Targets: ≥ 90 % correct, 0 unsafe statements executed (the gate runs on every one), p95 ≤ 300 ms
over 1,000,000 orders.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import orjson

from ordo.bench.stats import machine, percentile
from ordo.bench.store import seeded_store
from ordo.service.runtime.app import Ordo

NS = 1_000_000_000
H = 3_600 * NS
DAY = 24 * H
#: "Now" of both worlds: 2026-12-06 10:00 Asia/Shanghai.
NOW = int(dt.datetime(2026, 12, 6, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()) * NS
CORRECT_TARGET = 0.90
P95_TARGET_MS = 300.0

WAREHOUSES = [  # id, name, province, city, adcode, lat, lng
    ("SHA", "上海嘉定中心仓", "上海市", "上海市", "310114", 31.37, 121.26),
    ("PEK", "北京大兴中心仓", "北京市", "北京市", "110115", 39.72, 116.34),
    ("CAN", "广州白云中心仓", "广东省", "广州市", "440111", 23.15, 113.27),
    ("NKG", "南京江宁区域仓", "江苏省", "南京市", "320115", 31.95, 118.84),
    ("HGH", "杭州余杭中心仓", "浙江省", "杭州市", "330110", 30.42, 120.30),
    ("CTU", "成都双流中心仓", "四川省", "成都市", "510116", 30.57, 103.92),
    ("WUH", "武汉东西湖中心仓", "湖北省", "武汉市", "420112", 30.62, 114.14),
    ("SZX", "深圳宝安区域仓", "广东省", "深圳市", "440306", 22.55, 113.88),
]
CARRIERS = [
    ("sf", "顺丰速运"),
    ("jdl", "京东物流"),
    ("ems", "中国邮政EMS"),
    ("zto", "中通快递"),
    ("yto", "圆通速递"),
    ("yunda", "韵达快递"),
    ("sto", "申通快递"),
    ("jtexpress", "极兔速递"),
]
PLACES = [
    ("上海市", "上海市"),
    ("北京市", "北京市"),
    ("广东省", "广州市"),
    ("广东省", "深圳市"),
    ("广东省", "东莞市"),
    ("江苏省", "南京市"),
    ("江苏省", "苏州市"),
    ("浙江省", "杭州市"),
    ("浙江省", "宁波市"),
    ("四川省", "成都市"),
    ("湖北省", "武汉市"),
    ("山东省", "青岛市"),
    ("福建省", "厦门市"),
    ("河南省", "郑州市"),
]
CHANNELS = [
    "tmall",
    "taobao",
    "jd",
    "douyin",
    "pinduoduo",
    "kuaishou",
    "xiaohongshu",
    "wechat_channels",
    "wechat_mp",
    "youzan",
    "pos",
]


@dataclass(slots=True)
class Row:
    """One order as the oracle sees it (raw facts, not the view's flags)."""

    channel: str
    warehouse: str
    carrier: str
    province: str
    city: str
    status: str
    held: bool
    placed: int
    promised: int
    total: int
    outbound: int | None
    collected: int | None
    delivered: int | None
    returned: bool
    split: bool
    incidents: tuple[str, ...]


def generate(n: int, seed: int) -> Iterator[tuple[str, Row]]:
    rng = random.Random(seed)
    for i in range(n):
        placed = NOW - rng.randrange(0, 40 * 86_400) * NS
        wh = WAREHOUSES[rng.randrange(len(WAREHOUSES))]
        carrier = CARRIERS[rng.randrange(len(CARRIERS))][1]
        prov, city = PLACES[rng.randrange(len(PLACES))]
        promised = placed + rng.randrange(36, 96) * H
        cancelled = rng.random() < 0.03
        outbound = None if cancelled or rng.random() < 0.1 else placed + rng.randrange(2, 30) * H
        collected = None if outbound is None or rng.random() < 0.05 else outbound + rng.randrange(1, 36) * H
        delivered = None
        if collected is not None and rng.random() < 0.92:
            delivered = promised + int(rng.gauss(-14, 16) * H)
            delivered = max(delivered, collected + H)
        times = [t for t in (outbound, collected, delivered) if t is not None]
        if any(t > NOW for t in times):  # not yet happened
            outbound = outbound if outbound is not None and outbound <= NOW else None
            collected = collected if collected is not None and collected <= NOW else None
            delivered = delivered if delivered is not None and delivered <= NOW else None
        incidents: tuple[str, ...] = ()
        if rng.random() < 0.06:
            incidents = tuple(
                rng.choice(["auto_resolved"] * 7 + ["resolved", "open"]) for _ in range(rng.randint(1, 2))
            )
        yield (
            f"OA{seed % 10}{i:017d}",
            Row(
                channel=rng.choice(CHANNELS),
                warehouse=wh[1],
                carrier=carrier,
                province=prov,
                city=city,
                status="cancelled" if cancelled else ("delivered" if delivered else "processing"),
                held=rng.random() < 0.02,
                placed=placed,
                promised=promised,
                total=rng.randrange(990, 80_000),
                outbound=outbound,
                collected=collected,
                delivered=delivered,
                returned=delivered is not None and rng.random() < 0.04,
                split=rng.random() < 0.07,
                incidents=incidents,
            ),
        )


def fill(app: Ordo, n: int, seed: int, keep: list[Row] | None = None, batch: int = 20_000) -> float:
    """Bulk-insert ``n`` orders with their milestones, routing decisions and incidents."""
    from ordo.adapters.store.rows import bulk_insert
    from ordo.adapters.store.schema import core as t
    from ordo.adapters.store.schema import incidents as ti
    from ordo.adapters.store.schema import routing as tr
    from ordo.domain.orders.model import Carrier, Warehouse, WarehouseClass
    from ordo.service.inventory.catalog import save_catalog

    save_catalog(
        app,
        warehouses=[
            Warehouse(i, nm, p, c, ad, la, ln, WarehouseClass.OWN) for i, nm, p, c, ad, la, ln in WAREHOUSES
        ],
        carriers=[Carrier(i, nm) for i, nm in CARRIERS],
    )
    wh_id = {w[1]: w[0] for w in WAREHOUSES}
    carrier_id = {name: cid for cid, name in CARRIERS}
    t0 = time.perf_counter()
    rows = generate(n, seed)
    while True:
        chunk = [x for _, x in zip(range(batch), rows, strict=False)]
        if not chunk:
            break
        orders: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        routes: list[dict[str, Any]] = []
        incs: list[dict[str, Any]] = []
        for oid, r in chunk:
            if keep is not None:
                keep.append(r)
            orders.append(
                {
                    "id": oid,
                    "channel": r.channel,
                    "external_id": oid,
                    "customer_ref": "C1",
                    "status": r.status,
                    "warehouse_id": wh_id[r.warehouse],
                    "hold_reason": "manual:bench" if r.held else None,
                    "province": r.province,
                    "city": r.city,
                    "district": "",
                    "detail": "",
                    "adcode": None,
                    "lat": None,
                    "lng": None,
                    "recipient_name": "",
                    "recipient_phone": "",
                    "recipient_phone_key": "",
                    "goods_fen": r.total,
                    "discount_fen": 0,
                    "freight_fen": 0,
                    "total_fen": r.total,
                    "tags": [],
                    "priority": 0,
                    "remark": "",
                    "placed_at_ns": r.placed,
                    "paid_at_ns": r.placed,
                    "promised_at_ns": r.promised,
                    "created_at_ns": r.placed,
                    "updated_at_ns": r.placed,
                }
            )
            lines.append(
                {
                    "order_id": oid,
                    "line_no": 0,
                    "sku": "SKU-1",
                    "quantity": 1,
                    "unit_price_fen": r.total,
                    "discount_fen": 0,
                    "flags": "",
                    "warehouse_id": wh_id[r.warehouse],
                }
            )
            for step, at in (
                ("outbound", r.outbound),
                ("collected", r.collected),
                ("delivered", r.delivered),
                ("return_requested", r.delivered + H if r.returned and r.delivered else None),
            ):
                if at is not None:
                    steps.append(
                        {
                            "order_id": oid,
                            "milestone": step,
                            "at_ns": at,
                            "source": "bench",
                            "recorded_at_ns": at,
                        }
                    )
            other = "CTU" if wh_id[r.warehouse] != "CTU" else "SHA"
            routes.append(
                {
                    "order_id": oid,
                    "attempt": 1,
                    "at_ns": r.placed,
                    "trigger": "intake",
                    "status": "routed",
                    "warehouse_ids": f"{wh_id[r.warehouse]},{other}" if r.split else wh_id[r.warehouse],
                    "carrier_ids": f"{carrier_id[r.carrier]},sf" if r.split else carrier_id[r.carrier],
                    "promise_ns": r.promised,
                    "profile": "balanced",
                    "network": "bench",
                    "data": "{}",
                }
            )
            for k, state in enumerate(r.incidents):
                incs.append(
                    {
                        "order_id": oid,
                        "detector": "sla",
                        "key": f"bench-{k}",
                        "open_key": None,
                        "state": state,
                        "playbook": "none",
                        "channel": r.channel,
                        "tier": "regular",
                        "queued": False,
                        "priority": 3,
                        "assignee": None,
                        "due_ns": None,
                        "attempts": 0,
                        "next_attempt_ns": None,
                        "opened_at_ns": r.placed,
                        "updated_at_ns": r.placed,
                        "closed_at_ns": None,
                        "closed_by": None,
                        "resolution": "",
                        "steps": [],
                        "details": {},
                    }
                )
        with app.store.uow() as uow:
            bulk_insert(uow.connection, t.orders, orders)
            bulk_insert(uow.connection, t.order_lines, lines)
            bulk_insert(uow.connection, t.milestones, steps)
            bulk_insert(uow.connection, tr.routing_decisions, routes)
            if incs:
                bulk_insert(uow.connection, ti.order_exceptions, incs)
            uow.commit()
    # Loaded beside the service (no outbox events): the analytics facts are recomputed once,
    # as ``ordo db rebuild-analytics`` does after any bulk load.
    app.store.analytics().rebuild(app.clock.now_ns())
    return time.perf_counter() - t0


def corpus() -> list[dict[str, Any]]:
    """The questions, each with ``held_out`` (about 30 %, by a stable hash of the question)."""
    text = resources.files("ordo.bench").joinpath("data/ask_questions.jsonl").read_text("utf-8")
    out = []
    for line in text.splitlines():
        if line.strip():
            item = orjson.loads(line)
            item["held_out"] = zlib.crc32(item["q"].encode()) % 10 < 3
            out.append(item)
    return out


# -- the oracle: the metrics computed in Python from the raw rows --------------------------------
_TIME = {
    "on_time_rate": "delivered",
    "late_deliveries": "delivered",
    "promise_slack": "delivered",
    "pickup_rate": "outbound",
}


def _value(metric: str, rows: Sequence[Row]) -> tuple[float | int | None, int]:
    """(value, base) of ``metric`` over ``rows`` (already restricted to the period)."""
    n = len(rows)
    if metric == "on_time_rate":
        return (
            sum(1 for r in rows if r.delivered is not None and r.delivered <= r.promised) / n if n else None
        ), n
    if metric == "late_deliveries":
        return sum(1 for r in rows if r.delivered and r.delivered > r.promised), n
    if metric == "promise_slack":
        slack = sum((r.promised - r.delivered) / H for r in rows if r.delivered is not None)
        return (slack / n if n else None), n
    if metric == "pickup_rate":
        good = sum(
            1
            for r in rows
            if r.collected is not None and r.outbound is not None and r.collected - r.outbound <= 24 * H
        )
        return (good / n if n else None), n
    if metric == "split_rate":
        return (sum(r.split for r in rows) / n if n else None), n
    if metric == "exception_rate":
        return (sum(bool(r.incidents) for r in rows) / n if n else None), n
    if metric == "auto_closure_rate":
        had = [r for r in rows if r.incidents]
        auto = sum(all(s == "auto_resolved" for s in r.incidents) for r in had)
        return (auto / len(had) if had else None), len(had)
    if metric == "hold_rate":
        return (sum(r.held for r in rows) / n if n else None), n
    if metric == "cancel_rate":
        return (sum(r.status == "cancelled" for r in rows) / n if n else None), n
    if metric == "return_rate":
        return (sum(r.returned for r in rows) / n if n else None), n
    if metric == "orders":
        return n, n
    if metric == "gmv":
        return sum(r.total for r in rows), n
    if metric == "aov":
        return (sum(r.total for r in rows) / n if n else None), n
    raise ValueError(metric)


def expected_rows(
    item: dict[str, Any], rows: Sequence[Row], since: int, until: int
) -> dict[tuple[str, ...], Any]:
    """Group key → value, for the intended reading of ``item``."""
    from ordo.service.insight.periods import day_label

    when = _TIME.get(item["metric"], "placed")
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    filters = item.get("filters") or {}
    for r in rows:
        at = getattr(r, when)
        if at is None or not since <= at < until:
            continue
        if any(getattr(r, d) not in vs for d, vs in filters.items()):
            continue
        key = tuple(
            day_label((at + 8 * H) // DAY) if d == "day" else getattr(r, d)
            for d in item.get("group_by") or []
        )
        groups[key].append(r)
    if not item.get("group_by") and not groups:
        groups[()] = []
    money = item["metric"] in ("gmv", "aov")  # money is answered in whole fen
    out = {k: _value(item["metric"], v)[0] for k, v in groups.items()}
    return {k: (round(v) if money and v is not None else v) for k, v in out.items()}


def _matches(item: dict[str, Any], found: dict[str, Any], expected: dict[tuple[str, ...], Any]) -> str | None:
    """None when ``found`` is the intended answer, else what differs."""
    if found["metric"]["metric"] != item["metric"]:
        return f"metric {found['metric']['metric']} != {item['metric']}"
    want_period = item["period"]
    if want_period not in found["period"]["zh"]:
        return f"period {found['period']['zh']} != {want_period}"
    got_filters = {f["dimension"]: sorted(f["values"]) for f in found["filters"]}
    want_filters = {d: sorted(v) for d, v in (item.get("filters") or {}).items()}
    if got_filters != want_filters:
        return f"filters {got_filters} != {want_filters}"
    if found["group_by"] != (item.get("group_by") or []):
        return f"group_by {found['group_by']} != {item.get('group_by') or []}"
    got = {tuple(str(r[d]) for d in found["group_by"]): r["value"] for r in found["rows"]}
    if not found["group_by"] and not got:
        got = {(): None}
    if len(got) != min(len(expected), 50):
        return f"{len(got)} rows, expected {len(expected)}"
    for key, value in got.items():
        want = expected.get(key, "missing")
        if want == "missing":
            return f"row {key} not expected"
        if (want is None) != (value is None) or (
            want is not None and abs(float(want) - float(value)) > 1e-6 * max(1.0, abs(float(want)))
        ):
            return f"row {key}: {value} != {want}"
    return None


def check(app: Ordo, rows: Sequence[Row], items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    from ordo.service.insight.ask import ask
    from ordo.service.insight.periods import find_period

    results = []
    for item in items:
        try:
            found = ask(app, item["q"], now_ns=NOW)
        except Exception as exc:  # an unreadable question is a wrong answer here
            results.append({"q": item["q"], "held_out": item["held_out"], "ok": False, "why": str(exc)[:200]})
            continue
        words = {"双11": "双11期间", "618": "618期间"}.get(item["period"], item["period"])
        period = find_period(words, NOW)
        assert period is not None, item["period"]
        why = _matches(item, found, expected_rows(item, rows, period.since_ns, period.until_ns))
        if why is None and item.get("asc") and found["rows"]:
            values = [r["value"] for r in found["rows"] if r["value"] is not None]
            why = None if values == sorted(values) else "not lowest first"
        results.append({"q": item["q"], "held_out": item["held_out"], "ok": why is None, "why": why})
    return results


def run(orders: int = 1_000_000, check_orders: int = 20_000, db: str | None = None) -> dict[str, Any]:
    from ordo.service.insight.ask import ask

    items = corpus()
    keep: list[Row] = []
    with seeded_store("ask-check", check_orders, None, lambda app, n: fill(app, n, 3, keep)) as small:
        results = check(small.app, keep, items)
    tuning = [r for r in results if not r["held_out"]]
    held = [r for r in results if r["held_out"]]
    with seeded_store("ask", orders, db, lambda app, n: fill(app, n, 4)) as big:
        ask(big.app, items[0]["q"], now_ns=NOW)  # the first question warms the caches, apart
        times = []
        for item in items:
            t0 = time.perf_counter()
            with contextlib.suppress(Exception):  # timed all the same: a refusal is an answer
                ask(big.app, item["q"], now_ns=NOW)
            times.append((time.perf_counter() - t0) * 1000)  # ms
        seed_s = big.seed_s
    lat = {f"p{q}": round(percentile(times, q), 1) for q in (50, 95)} | {"max": round(max(times), 1)}
    return {
        "bench": "ask",
        "machine": machine(),
        "questions": len(items),
        "held_out": len(held),
        "correct": round(sum(r["ok"] for r in results) / len(results), 4),
        "correct_tuning": round(sum(r["ok"] for r in tuning) / max(1, len(tuning)), 4),
        "correct_held_out": round(sum(r["ok"] for r in held) / max(1, len(held)), 4),
        "wrong": [{"q": r["q"], "why": r["why"], "held_out": r["held_out"]} for r in results if not r["ok"]],
        "orders": orders,
        "seed_s": round(seed_s, 1),
        "latency_ms": lat,
        "targets": {
            "correct": CORRECT_TARGET,
            "p95_ms": P95_TARGET_MS,
            "met": sum(r["ok"] for r in results) / len(results) >= CORRECT_TARGET
            and lat["p95"] <= P95_TARGET_MS,
        },
    }
