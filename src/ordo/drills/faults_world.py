"""Business faults: trouble in the simulated world, sent to the running Ordo as the world would send it.

Warehouses go down through the operator's API (``POST/DELETE /warehouses/{id}/outage``),
as a 仓库 shift lead reports it; catalog changes (a carrier on strike, a stale stock
feed) go through the service layer (``save_catalog``) on the drill's own Ordo over the
same database, as the master-data feed does; orders and pushes go through the public
API. Each action marks when it struck and notes what a probe later checks.

- ``warehouse_outage``: the named warehouses, or every warehouse of the named provinces
  (a typhoon over 华南) or cities (a lockdown), switched off for ``duration_s`` (0: until
  the rollback ``restore_warehouses``; a fire).
- ``surge``: the offered order rate times ``factor`` for ``duration_s`` (大促 ×10).
- ``carrier_strike``: a carrier's daily capacity set to 0 for ``duration_s``, then restored.
- ``stale_stock_feed``: the stock of the best-selling SKUs set back to a stale snapshot
  (``share`` of what it was, never below what is reserved) for ``duration_s``, then the
  fresh one.
- ``carrier_delay_spike``: carrier reports of the drill's orders held back ``delay_s``
  and then delivered in one burst, out of order.
- ``duplicate_webhook_storm``: signed pushes, each sent ``copies`` times at once.
- ``malformed_payload_flood``: signed pushes that cannot be orders (unknown SKU, amounts
  that do not add up, no lines) and bodies that are not JSON: each must become a dead
  letter or a 4xx, never a 5xx or an order.

The probes that judge them are here too (``BUSINESS_PROBES``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any

import httpx
import sqlalchemy as sa

from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from ordo.domain.orders.model import Stock
from ordo.drills.context import Drill
from ordo.drills.target import WEBHOOK_SECRET
from ordo.service.inventory.catalog import save_catalog

PUSH_TEMPLATE = Path(__file__).resolve().parent / "payloads" / "taobao_push.json"
API = "/api/v1"


def _client(drill: Drill) -> httpx.Client:
    # An outage re-routes every open order of the warehouse in one request: minutes, not
    # seconds, once a shared drill server holds thousands of them.
    return httpx.Client(base_url=drill.target.base, headers=drill.target.headers, timeout=180)


def _retrying(call: Callable[[], httpx.Response], tries: int = 20) -> tuple[httpx.Response, int]:
    """The answer, asking again after a 503 ("safe to retry", as the API's contract says);
    with how many 503s it took."""
    busy = 0
    while True:
        r = call()
        if r.status_code != 503 or busy >= tries:
            r.raise_for_status()
            return r, busy
        busy += 1
        time.sleep(0.25)


def _warehouses(drill: Drill, ids: list[str], provinces: list[str], cities: list[str]) -> list[str]:
    out = list(ids)
    for w in drill.target.world.warehouses:
        if (w.province in provinces or w.city in cities) and w.id not in out:
            out.append(w.id)
    if not out:
        raise RuntimeError(f"no warehouse in {provinces or cities or ids}")
    return out


def warehouse_outage(
    drill: Drill,
    warehouses: list[str] | None = None,
    provinces: list[str] | None = None,
    cities: list[str] | None = None,
    duration_s: float = 0.0,
    reason: str = "演练 / drill",
) -> dict[str, Any]:
    ids = _warehouses(drill, warehouses or [], provinces or [], cities or [])
    moved: dict[str, Any] = {}
    retried = 0
    with _client(drill) as c:
        drill.mark(f"warehouse_outage {','.join(ids)}")
        for wid in ids:
            url = f"{API}/warehouses/{wid}/outage"
            r, busy = _retrying(partial(c.post, url, json={"reason": reason}))
            answer = {k: v for k, v in r.json().items() if k != "moves"}  # counts, not every order
            moved[wid], retried = answer, retried + busy
    drill.notes.setdefault("down_warehouses", set()).update(ids)
    # The window opens once every outage is answered (committed): an order sent before
    # that could rightly still be routed to a warehouse not yet switched off.
    drill.notes.setdefault("outage_windows", []).append((time.monotonic(), None, ids))
    if duration_s:
        time.sleep(duration_s)
        restore_warehouses(drill)
    return {"warehouses": ids, "answers": moved, "retried_after_503": retried}


def restore_warehouses(drill: Drill) -> dict[str, Any]:
    down: set[str] = drill.notes.get("down_warehouses", set())
    now = time.monotonic()  # the window closes as the restore begins
    with _client(drill) as c:
        for wid in sorted(down):
            url = f"{API}/warehouses/{wid}/outage"
            _retrying(partial(c.delete, url))
    windows = drill.notes.get("outage_windows", [])
    drill.notes["outage_windows"] = [(s, e if e is not None else now, ids) for s, e, ids in windows]
    restored = sorted(down)
    down.clear()
    return {"restored": restored}


def surge(drill: Drill, factor: float = 10.0, duration_s: float = 3.0) -> dict[str, Any]:
    drill.mark(f"surge x{factor}")
    drill.load.factor = factor
    try:
        time.sleep(duration_s)
    finally:
        drill.load.factor = 1.0
    return {"factor": factor, "for_s": duration_s, "offered_per_s": drill.load.rate * factor}


def carrier_strike(drill: Drill, carrier: str = "sf", duration_s: float = 3.0) -> dict[str, Any]:
    before = next(c for c in drill.target.world.carriers if c.id == carrier)
    drill.mark(f"carrier_strike {carrier}")
    # No capacity, not no coverage: an empty coverage means "everywhere" to the router.
    save_catalog(drill.target.app, carriers=[dataclasses.replace(before, daily_capacity=0)])
    start = time.monotonic()
    try:
        time.sleep(duration_s)
    finally:
        save_catalog(drill.target.app, carriers=[before])
        drill.notes.setdefault("strike_windows", []).append((start, time.monotonic(), carrier))
    return {"carrier": carrier, "for_s": duration_s}


def stale_stock_feed(
    drill: Drill, skus: int = 20, share: float = 0.0, duration_s: float = 3.0
) -> dict[str, Any]:
    """A stale snapshot of the best sellers' stock arrives from the WMS, then a fresh one.

    Ordo has no feed that sets ``on_hand`` alone: ``save_catalog`` replaces whole rows,
    reservations included. So the rows are read just before each write and their
    ``reserved`` kept (an order reserving in between, milliseconds, would be overwritten:
    the scenario runs on an Ordo of its own, ``configuration.seed``).
    """
    top = sorted(drill.target.world.popularity[:skus])
    drill.mark(f"stale_stock_feed {len(top)} SKUs")
    fresh = _stock_rows(drill, top)
    save_catalog(
        drill.target.app,
        stock=[dataclasses.replace(s, on_hand=max(s.reserved, int(s.on_hand * share))) for s in fresh],
    )
    try:
        time.sleep(duration_s)
    finally:
        now = {(s.warehouse_id, s.sku): s.reserved for s in _stock_rows(drill, top)}
        back = [dataclasses.replace(s, reserved=now.get((s.warehouse_id, s.sku), s.reserved)) for s in fresh]
        save_catalog(drill.target.app, stock=back)
    return {"rows": len(fresh), "share": share, "for_s": duration_s}


def _stock_rows(drill: Drill, skus: list[str]) -> list[Stock]:
    q = sa.text("SELECT warehouse_id, sku, on_hand, reserved, safety FROM stock WHERE sku IN :s").bindparams(
        sa.bindparam("s", expanding=True)
    )
    with drill.target.engine().connect() as conn:
        return [Stock(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in conn.execute(q, {"s": skus})]


_BEFORE_CARRIER = ("released_to_warehouse", "picked", "packed", "waybill_issued", "outbound")
_CARRIER = ("collected", "departed", "in_transit")


def carrier_delay_spike(drill: Drill, orders: int = 60, delay_s: float = 3.0) -> dict[str, Any]:
    with drill.load.ledger.lock:
        ids = list(drill.load.ledger.acked.values())[-orders:]
    now_ns = time.time_ns()
    early = [_update(oid, m, now_ns + k * 1_000_000) for oid in ids for k, m in enumerate(_BEFORE_CARRIER)]
    late = [_update(oid, m, now_ns + (10 + k) * 1_000_000) for oid in ids for k, m in enumerate(_CARRIER)]
    random.Random(7).shuffle(late)  # the burst arrives out of order
    results: list[str] = []
    with _client(drill) as c:
        drill.mark("carrier_delay_spike")
        results += _milestones(c, early)
        time.sleep(delay_s)
        results += _milestones(c, late)
    outcomes = {o: results.count(o) for o in set(results)}
    drill.notes["milestone_outcomes"] = outcomes
    return {"orders": len(ids), "delay_s": delay_s, "outcomes": outcomes}


def _update(order_id: str, milestone: str, at_ns: int) -> dict[str, Any]:
    at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at_ns / 1e9)) + f".{at_ns % 10**9 // 1000:06d}+00:00"
    return {"order_id": order_id, "milestone": milestone, "at": at, "source": "drill-carrier"}


def _milestones(c: httpx.Client, updates: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for i in range(0, len(updates), 500):
        r = c.post(f"{API}/milestones", json={"updates": updates[i : i + 500]})
        r.raise_for_status()
        out += [str(x.get("outcome")) for x in r.json()["results"]]
    return out


def _push(drill: Drill, tid: int, **override: Any) -> bytes:
    trade = copy.deepcopy(json.loads(PUSH_TEMPLATE.read_text("utf-8")))
    trade["tid"], trade["tid_str"] = tid, str(tid)
    placed = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 8 * 3600 - 5))
    trade["created"] = trade["pay_time"] = trade["modified"] = placed
    trade["orders"]["order"][0]["outer_sku_id"] = drill.target.world.popularity[0]
    trade.update(override)
    return json.dumps(trade, ensure_ascii=False).encode()


def _send(base: str, body: bytes) -> int:
    ts = int(time.time())
    headers = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(WEBHOOK_SECRET, ts, body)}
    headers["Content-Type"] = "application/json"
    try:
        return httpx.post(
            f"{base}{API}/channels/taobao/webhook", content=body, headers=headers, timeout=30
        ).status_code
    except httpx.TransportError:
        return 0


def duplicate_webhook_storm(drill: Drill, pushes: int = 20, copies: int = 10) -> dict[str, Any]:
    first = 7_700_000_000_000 + random.Random(drill.target.seed).randrange(10**9)
    bodies = [_push(drill, first + n) for n in range(pushes)]
    drill.notes["storm_tids"] = [str(first + n) for n in range(pushes)]
    drill.mark("duplicate_webhook_storm")
    with ThreadPoolExecutor(16) as pool:
        statuses = list(
            pool.map(lambda b: _send(drill.target.base, b), [b for b in bodies for _ in range(copies)])
        )
    drill.notes["storm_statuses"] = statuses
    return {"pushes": pushes, "copies": copies, "statuses": {s: statuses.count(s) for s in set(statuses)}}


def malformed_payload_flood(drill: Drill, payloads: int = 60) -> dict[str, Any]:
    rng = random.Random(drill.target.seed)
    first = 8_800_000_000_000 + rng.randrange(10**9)
    bodies: list[bytes] = []
    for n in range(payloads):
        kind = n % 4
        if kind == 0:  # an SKU nobody knows
            trade = json.loads(_push(drill, first + n))
            trade["orders"]["order"][0]["outer_sku_id"] = f"NO-SUCH-SKU-{n}"
            bodies.append(json.dumps(trade, ensure_ascii=False).encode())
        elif kind == 1:  # paid more than the goods and the freight (an address that is no
            # place would be taken and held for the address, rightly: it is an order)
            bodies.append(_push(drill, first + n, payment="99999.00"))
        elif kind == 2:  # lines missing
            bodies.append(_push(drill, first + n, orders={"order": []}))
        else:  # not JSON at all
            bodies.append(b'{"tid": ' + str(first + n).encode() + b", truncated")
    drill.notes.setdefault("dead_letters_0", _count(drill, "SELECT COUNT(*) FROM channel_dead_letters"))
    drill.mark("malformed_payload_flood")
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda b: _send(drill.target.base, b), bodies))
    drill.notes["flood_statuses"] = statuses
    return {"payloads": payloads, "statuses": {s: statuses.count(s) for s in set(statuses)}}


def _count(drill: Drill, sql: str, **params: Any) -> int:
    with drill.target.engine().connect() as conn:
        return int(conn.execute(sa.text(sql), params).scalar() or 0)


# -- probes of the business faults ------------------------------------------------------------


def _taken_within(drill: Drill, start: float, end: float) -> list[str]:
    """Orders whose acknowledged request was sent after ``start`` and answered before ``end``."""
    with drill.load.ledger.lock:
        return [
            a.order_id for a in drill.load.ledger.attempts if a.order_id and a.sent >= start and a.done <= end
        ]


def _first_decisions(drill: Drill, order_ids: list[str], column: str) -> list[set[str]]:
    """Each order's intake routing decision (attempt 1): its warehouses or carriers."""
    q = sa.text(f"SELECT {column} FROM routing_decisions WHERE attempt = 1 AND order_id IN :o").bindparams(
        sa.bindparam("o", expanding=True)
    )
    with drill.target.engine().connect() as conn:
        return [set(str(r[0]).split(",")) for r in conn.execute(q, {"o": order_ids})]


def orders_routed_to_downed_warehouses(drill: Drill) -> int:
    """Orders taken while a warehouse was switched off, and routed to it at intake anyway.
    (Orders that waited and went to it once it was back are right, and not counted.)"""
    bad = 0
    for start, end, ids in drill.notes.get("outage_windows", []):
        inside = _taken_within(drill, start, end if end is not None else time.monotonic())
        if inside:
            bad += sum(1 for used in _first_decisions(drill, inside, "warehouse_ids") if used & set(ids))
    return bad


def orders_booked_with_striking_carrier(drill: Drill) -> int:
    """Orders taken during a carrier's strike and booked with that carrier at intake."""
    bad = 0
    for start, end, carrier in drill.notes.get("strike_windows", []):
        inside = _taken_within(drill, start, end)
        if inside:
            bad += sum(1 for used in _first_decisions(drill, inside, "carrier_ids") if carrier in used)
            drill.notes["strike_orders_checked"] = drill.notes.get("strike_orders_checked", 0) + len(inside)
    return bad


def _storm_counts(drill: Drill) -> list[int]:
    tids = drill.notes.get("storm_tids", [])
    if not tids:
        return []
    q = sa.text(
        "SELECT external_id, COUNT(*) FROM orders WHERE channel = 'taobao' AND external_id IN :t "
        "GROUP BY external_id"
    ).bindparams(sa.bindparam("t", expanding=True))
    with drill.target.engine().connect() as conn:
        counts = {str(r[0]): int(r[1]) for r in conn.execute(q, {"t": tids})}
    return [counts.get(t, 0) for t in tids]


def storm_pushes_doubled(drill: Drill) -> int:
    """Pushes of the storm stored as more than one order (0 before any storm)."""
    return sum(1 for n in _storm_counts(drill) if n > 1)


def storm_pushes_lost(drill: Drill) -> int:
    """Pushes of the storm that answered 200 and yet left no order."""
    return sum(1 for n in _storm_counts(drill) if n == 0)


def flood_unaccounted(drill: Drill) -> int:
    """Flooded payloads neither dead-lettered nor refused with a 4xx (0: each is accounted for)."""
    statuses = drill.notes.get("flood_statuses", [])
    if not statuses:
        return 0
    refused = sum(1 for s in statuses if 400 <= s < 500)
    dead = _count(drill, "SELECT COUNT(*) FROM channel_dead_letters") - int(
        drill.notes.get("dead_letters_0", 0)
    )
    drill.notes["flood_dead_letters"], drill.notes["flood_refused"] = dead, refused
    return len(statuses) - refused - dead


def webhook_server_errors(drill: Drill) -> int:
    """5xx answers (or dropped connections) to the storm's and the flood's pushes."""
    statuses = drill.notes.get("storm_statuses", []) + drill.notes.get("flood_statuses", [])
    return sum(1 for s in statuses if s == 0 or s >= 500)


def rejected_milestones(drill: Drill) -> int:
    """Carrier reports refused (``rejected``) in the delay spike: late reports must still count."""
    return int(drill.notes.get("milestone_outcomes", {}).get("rejected", 0))


ACTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        f.__name__: f
        for f in (
            warehouse_outage,
            restore_warehouses,
            surge,
            carrier_strike,
            stale_stock_feed,
            carrier_delay_spike,
            duplicate_webhook_storm,
            malformed_payload_flood,
        )
    }
)
BUSINESS_PROBES: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        f.__name__: f
        for f in (
            orders_routed_to_downed_warehouses,
            orders_booked_with_striking_carrier,
            storm_pushes_doubled,
            storm_pushes_lost,
            flood_unaccounted,
            webhook_server_errors,
            rejected_milestones,
        )
    }
)
