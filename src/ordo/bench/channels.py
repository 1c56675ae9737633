"""``ordo bench channels``: adapter mapping throughput per channel, and webhook → visible latency.

Mapping: each channel's fixture payload through its adapter and the shared mapping step
(SKU lookup from a dict, address through the resolver as in production, whose cache
sees repeated districts), ``payloads_per_s`` per channel; plus the address resolver
cold (distinct addresses, cache cleared). Webhooks: a real ``ordo serve`` process on a
free port, fed signed Taobao pushes at a steady rate (open loop: a push is due at its
time whether or not earlier ones were answered) by a lean async client; latency is
from when the webhook was due until ``GET /api/v1/orders/{id}`` shows the order.
Beside them: CPU per payload or per webhook (server and client; the server's summed
over its worker processes) and the load average, because on a shared machine the
wall-clock figures mostly measure the neighbours. ``workers`` is passed to
``ordo serve --workers``.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ordo.adapters.channels import ADAPTERS, to_canonical
from ordo.adapters.geo import load_divisions
from ordo.adapters.geo.address import AddressResolver, default_resolver
from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.bench.http import free_port, wait_ready
from ordo.bench.loadgen import LoadClient
from ordo.bench.stats import latency_ms, machine
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.domain.orders.model import Sku, Stock, Warehouse, WarehouseClass
from ordo.service.inventory.catalog import save_catalog
from ordo.service.runtime.keys import create_key

#: One payload per channel, the same shapes as the test fixtures (tests/fixtures/channels).
_FIXTURES = Path(__file__).parents[3] / "tests" / "fixtures" / "channels"
_SAMPLES = {
    "taobao": "taobao/create.json", "jd": "jd/create.json", "douyin": "douyin/create.json",
    "pinduoduo": "pinduoduo/create.json", "kuaishou": "kuaishou/create.json",
    "wechat_mp": "wechat_mp/create.json", "pos": "pos/sold.json",
    # Channels described by a mapping file (adapters/channels/specs), in their detail envelopes.
    "wechat_channels": "wechat_channels/detail.json", "youzan": "youzan/trade_get.json",
    "xiaohongshu": "xiaohongshu/detail.json",
}  # fmt: skip
#: The platforms' real answers beside them (tests/fixtures/channels/README.md): detail envelopes,
#: one element of a list answer, and ISV middlemen's envelopes (JSON inside a string included).
_ENVELOPES = {
    "taobao/detail": ("taobao", "taobao/fullinfo_response.json"),
    "taobao/increment": ("taobao", "taobao/increment_element.json"),
    "taobao/jushita_row": ("taobao", "middlemen/jushita_rds_row.json"),
    "jd/detail": ("jd", "jd/order_get_response.json"), "jd/search": ("jd", "jd/search_element.json"),
    "jd/erp_forward": ("jd", "middlemen/erp_forward_jd.json"),
    "pinduoduo/detail": ("pinduoduo", "pinduoduo/information_get_response.json"),
    "pinduoduo/increment": ("pinduoduo", "pinduoduo/increment_element.json"),
    "pinduoduo/erp_forward": ("pinduoduo", "middlemen/erp_forward_pinduoduo.json"),
    "douyin/detail": ("douyin", "douyin/order_detail_response.json"),
    "douyin/search": ("douyin", "douyin/search_list_element.json"),
    "douyin/erp_forward": ("douyin", "middlemen/erp_forward_douyin.json"),
    "kuaishou/detail": ("kuaishou", "kuaishou/detail_response.json"),
    "kuaishou/cursor_list": ("kuaishou", "kuaishou/cursor_list_element.json"),
}  # fmt: skip
_SKU_MAP = {"4801234567891": "SKU-CUP", "100012345678": "SKU-TEA", "998877": "SKU-CUP"}
_CATALOG = {"SKU-TEA": frozenset[str](), "SKU-MILK": frozenset({"cold_chain"}), "SKU-CUP": frozenset()}
NS = 1_000_000_000
SECRET = "bench-webhook-secret-0123456789"
#: Keep-alive connections the client drives the server over (a platform's push pool).
CONNECTIONS = 64


def _lookup(platform_sku: str) -> tuple[str, frozenset[str]] | None:
    sku = _SKU_MAP.get(platform_sku, platform_sku)
    return (sku, _CATALOG[sku]) if sku in _CATALOG else None


def _sample(name: str) -> Mapping[str, Any]:
    path = _FIXTURES / name
    if not path.exists():  # pragma: no cover - an installed package without the tests
        raise FileNotFoundError(f"benchmark payload {path} not found (run from a source checkout)")
    payload: Mapping[str, Any] = json.loads(path.read_text("utf-8"), parse_float=Decimal)
    return payload


def bench_mapping(payloads: int) -> dict[str, Any]:
    resolver = default_resolver()
    out: dict[str, Any] = {}
    samples = {**{channel: (channel, name) for channel, name in _SAMPLES.items()}, **_ENVELOPES}
    for label, (channel, name) in samples.items():
        adapter, payload = ADAPTERS[channel], _sample(name)
        to_canonical(adapter.parse(payload), _lookup, resolver)  # warm
        start, cpu = time.perf_counter(), time.thread_time()
        for _ in range(payloads):
            to_canonical(adapter.parse(payload), _lookup, resolver)
        elapsed, used = time.perf_counter() - start, time.thread_time() - cpu
        # Per CPU second too: on a shared machine the wall-clock figure mostly measures the others.
        out[label] = {
            "payloads": payloads,
            "payloads_per_s": round(payloads / elapsed),
            "payloads_per_cpu_s": round(payloads / used) if used > 0 else None,
        }
    return out


def bench_address_cold() -> dict[str, Any]:
    """Distinct district addresses, parsed with an empty cache: the resolver's worst case."""
    divisions = load_divisions()
    resolver = AddressResolver(divisions)
    texts = []
    for d in divisions.by_code.values():
        if d.level == "district":
            p, c = divisions.province_of(d), divisions.city_of(d)
            texts.append(f"{p.name}{'' if c is p else c.name}{d.name}人民路1号")
    start = time.perf_counter()
    resolved = sum(resolver.parse(t).resolved for t in texts)
    elapsed = time.perf_counter() - start
    return {
        "addresses": len(texts),
        "resolved_share": round(resolved / len(texts), 4),
        "addresses_per_s": round(len(texts) / elapsed),
    }


def _push(template: Mapping[str, Any], n: int, now_s: int, cities: list[tuple[str, str, str]]) -> bytes:
    trade = copy.deepcopy(dict(template))
    tid = str(9_100_000_000_000 + n)
    trade["tid"] = trade["tid_str"] = tid
    placed = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now_s + 8 * 3600 - 60))
    trade["created"] = trade["pay_time"] = trade["modified"] = placed
    province, city, district = cities[n % len(cities)]
    trade.update(receiver_state=province, receiver_city=city, receiver_district=district)
    for line in trade["orders"]["order"]:
        line["outer_sku_id"] = "SKU-TEA"
    return json.dumps(trade, ensure_ascii=False, default=str).encode()


def bench_webhooks(count: int, rate: float, workers: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ordo-bench-channels-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = bootstrap(Settings(database_url=url), clock=SystemClock(), rng=random.Random(3))
        save_catalog(
            app,
            warehouses=[
                Warehouse("WH-SH", "上海仓", "上海市", "上海市", "310114", 31.37, 121.27, WarehouseClass.OWN),
                Warehouse("WH-GZ", "广州仓", "广东省", "广州市", "440111", 23.16, 113.27, WarehouseClass.OWN),
            ],
            skus=[
                Sku("SKU-TEA", "西湖龙井", "tea", 12_800, 300),
                Sku("SKU-CUP", "陶瓷杯", "home", 3_900, 400),
            ],
            stock=[Stock(w, s, 10_000_000) for w in ("WH-SH", "WH-GZ") for s in ("SKU-TEA", "SKU-CUP")],
        )
        key = create_key(app, Role.ADMIN, "bench")
        app.store.dispose()
        port = free_port()
        env = {**os.environ, "ORDO_DATABASE_URL": url, "ORDO_CHANNEL_SECRET_TAOBAO": SECRET}
        server = subprocess.Popen(
            [sys.executable, "-m", "ordo.cli", "serve", "--port", str(port), "--workers", str(workers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base) as probe:
                wait_ready(probe, server)
            if workers > 1:
                time.sleep(2.0)  # the first worker answered; let the others finish starting too
            load_before, server_cpu, client_cpu = _load(), _tree_cpu_s(server.pid), time.process_time()
            result = asyncio.run(_drive(base, key, count, rate))
            # Where the cores went: the figures are only comparable with the machine's load beside them.
            result["server"] = f"ordo serve --workers {workers} (uvicorn, SQLite)"
            result["server_cpu_ms_per_webhook"] = round(
                (_tree_cpu_s(server.pid) - server_cpu) / count * 1000, 3
            )
            result["client_cpu_ms_per_webhook"] = round((time.process_time() - client_cpu) / count * 1000, 3)
            result["load_average_1m"] = {"before": load_before, "after": _load()}
        finally:
            server.terminate()
            server.wait(timeout=10)
    return result


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0.0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its live children (the server's worker processes)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone since listed, or not readable
        if parent == pid:
            children.append(int(stat.parent.name))
    return _cpu_s(pid) + sum(_cpu_s(c) for c in children)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


async def _drive(base: str, key: str, count: int, rate: float) -> dict[str, Any]:
    template = _sample("taobao/create.json")
    cities = [("浙江省", "杭州市", "西湖区"), ("上海", "上海市", "浦东新区"), ("广东省", "广州市", "天河区"),
              ("北京", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区")]  # fmt: skip
    now_s = int(time.time())
    bodies = [_push(template, n, now_s, cities) for n in range(count)]
    samples: list[float] = []
    due: list[float] = []  # when each sample's webhook was due, seconds after the first
    failures: list[str] = []
    host, port = base.removeprefix("http://").rsplit(":", 1)
    async with LoadClient(host, int(port), connections=CONNECTIONS) as client:

        async def one(body: bytes) -> None:
            try:
                await attempt(body)
            except (OSError, asyncio.IncompleteReadError) as exc:  # overload shows up here; count it
                failures.append(f"{type(exc).__name__}: {exc}")

        async def attempt(body: bytes) -> None:
            t0 = time.perf_counter()  # when the webhook was due: client-side queueing counts too
            ts = int(time.time())
            headers = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(SECRET, ts, body)}
            r = await client.request("POST", "/api/v1/channels/taobao/webhook", headers, body)
            receipt = r.json()
            if r.status != 200 or not isinstance(receipt, dict) or receipt.get("outcome") != "created":
                failures.append(f"{r.status} {r.body[:200]!r}")
                return
            auth = {"Authorization": f"Bearer {key}"}
            seen = await client.request("GET", f"/api/v1/orders/{receipt['order_id']}", auth)
            if seen.status != 200:
                failures.append(f"not visible: {seen.status}")
                return
            samples.append(time.perf_counter() - t0)
            due.append(t0 - start)

        tasks = []
        # The client's own full collections (its heap holds the mapping run and the bodies)
        # stopped it for 30-85 ms, counted as the server's latency: set that heap aside.
        gc.collect()
        gc.freeze()
        start = time.perf_counter()
        for i, body in enumerate(bodies):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
        gc.unfreeze()
    return {
        "client": f"asyncio, {CONNECTIONS} keep-alive connections (ordo.bench.loadgen)",
        "webhooks": count,
        "offered_per_s": rate,
        "completed_per_s": round(len(samples) / elapsed, 1),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "webhook_to_visible": latency_ms(samples),
        # Where the tail is: the slowest 1 % as (seconds after the first webhook, ms), in
        # time order — all at the start is a cold server, spread out is periodic work.
        "slowest_at_s_ms": _slowest(due, samples),
    }


def _slowest(due: list[float], samples: list[float]) -> list[list[float]]:
    worst = sorted(zip(due, samples, strict=True), key=lambda p: p[1], reverse=True)
    return [[round(at, 2), round(s * 1000, 1)] for at, s in sorted(worst[: max(1, len(worst) // 100)])]


def run(
    *, payloads: int = 20_000, webhooks: int = 2_000, rate: float = 500.0, workers: int = 1
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "benchmark": "channels",
        "machine": machine(),
        "parameters": {
            "payloads_per_channel": payloads,
            "webhooks": webhooks,
            "rate_per_s": rate,
            "workers": workers,
        },
        "mapping": bench_mapping(payloads),
        "address_cold": bench_address_cold(),
    }
    if webhooks:
        out["webhooks"] = bench_webhooks(webhooks, rate, workers)
    return out
