"""``ordo bench identity``: identifier links resolved per second.

A synthetic population: each person has a phone, and some have an OpenID, a platform
buyer id, a device fingerprint or a member number. Each order carries two or three of
its buyer's identifiers, so orders keep linking and merging people the way channels do.

Figures: ``links_per_s`` for resolution proper (union-find over batches of keyed
orders, ``ordo.domain.customers.identity``); ``keying_per_s`` for turning identifiers into keys
(HMAC-SHA256 of phones, normalising the rest); ``end_to_end_links_per_s`` for both;
and ``store_links_per_s`` for the same work resolved and written through the service,
one SQLite transaction per batch (what intake adds to an order).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from ordo.bench.stats import machine
from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.customers.identity import IdentityBook, keys_of
from ordo.domain.orders.model import Address, Identifier, IdentifierKind, Line, Order
from ordo.service.customers.identity import link_orders

PEPPER = b"bench-pepper"
_EXTRA = (IdentifierKind.OPENID, IdentifierKind.BUYER_ID, IdentifierKind.DEVICE, IdentifierKind.MEMBER)


def population(people: int, rng: random.Random) -> list[list[Identifier]]:
    out = []
    for n in range(people):
        ids = [Identifier(IdentifierKind.PHONE, f"1{rng.choice('3456789')}{n:09d}")]
        ids += [Identifier(k, f"{k.value}-{n:08d}") for k in _EXTRA if rng.random() < 0.5]
        out.append(ids)
    return out


def orders_of(people: list[list[Identifier]], n: int, rng: random.Random) -> list[tuple[Identifier, ...]]:
    out = []
    for _ in range(n):
        ids = rng.choice(people)
        out.append(tuple(rng.sample(ids, min(len(ids), rng.choice((2, 2, 3))))))
    return out


def run(
    *,
    orders: int = 200_000,
    batch: int = 1000,
    people: int = 50_000,
    seed: int = 1,
    store_orders: int = 20_000,
) -> dict[str, Any]:
    rng = random.Random(seed)
    crowd = population(people, rng)
    carried = orders_of(crowd, orders, rng)
    links = sum(len(c) for c in carried)

    start = time.perf_counter()
    keyed = [keys_of(ids, PEPPER)[0] for ids in carried]
    keying_s = time.perf_counter() - start

    counter = iter(range(10**12))
    book = IdentityBook(lambda: f"CU{next(counter):018d}")
    start = time.perf_counter()
    for i in range(0, orders, batch):
        book.ingest([(f"O{i + j}", keys) for j, keys in enumerate(keyed[i : i + batch])])
    elapsed = time.perf_counter() - start
    customers = len({book.customer_of_key(k) for k in book.origin})

    store = _bench_store(carried[:store_orders], batch)
    return {
        "bench": "identity",
        "machine": machine(),
        "params": {
            "orders": orders,
            "batch": batch,
            "people": people,
            "seed": seed,
            "store_orders": store_orders,
            "store": "sqlite (WAL, synchronous=NORMAL)",
        },
        "links": links,
        "seconds": round(elapsed, 3),
        "links_per_s": round(links / elapsed, 1),
        "keying_per_s": round(links / keying_s, 1),
        "end_to_end_links_per_s": round(links / (keying_s + elapsed), 1),
        "merges": len(book.merges),
        "customers": customers,
        "people": people,
        **store,
    }


def _bench_store(carried: list[tuple[Identifier, ...]], batch: int) -> dict[str, Any]:
    if not carried:
        return {}
    ship = Address("上海市", "上海市", "浦东新区")
    line = (Line("SKU", 1, 100),)
    with tempfile.TemporaryDirectory(prefix="ordo-bench-") as tmp:
        app = bootstrap(
            Settings(database_url=f"sqlite:///{Path(tmp) / 'identity.db'}", identity_pepper=PEPPER.decode()),
            clock=ManualClock(1_794_326_400 * 10**9),
            rng=random.Random(1),
        )
        orders = [
            Order(f"OR{n:018d}", "api", f"E{n}", "", ship, line, 0, identifiers=ids)
            for n, ids in enumerate(carried)
        ]
        start = time.perf_counter()
        for i in range(0, len(orders), batch):
            with app.store.uow() as uow:
                link_orders(app, uow, orders[i : i + batch], 0)
                uow.commit()
        elapsed = time.perf_counter() - start
        app.store.dispose()
    links = sum(len(c) for c in carried)
    return {
        "store_links": links,
        "store_seconds": round(elapsed, 3),
        "store_links_per_s": round(links / elapsed, 1),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(), ensure_ascii=False))
