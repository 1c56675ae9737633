"""The router's view of the catalog, built once per store and rebuilt when the catalog changes.

Owns :class:`RoutingCache` (one per Ordo, ``ordo.caches.routing``): the ``Network`` of
warehouses and carriers, SKU weights and prices, and today's capacity left per warehouse
and carrier. A batch asks :meth:`RoutingCache.context` for a ``RoutingContext`` over the
stock rows it locked in its own transaction; the cache compares a fingerprint of the
catalog per batch (a revision token that triggers change with every write to warehouses, carriers
or SKUs) and rebuilds when it moved (a warehouse switched off, a carrier added, a SKU
re-weighed). Capacity
left is counted in this process from the parcels its committed batches routed
(:meth:`RoutingCache.commit`); it starts full each local day and does not see parcels
other processes routed.

It never decides anything: the router (``ordo.domain.routing``) does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from cachetools import LRUCache

from ordo.domain.orders.model import HANDLING_FLAGS, Carrier, Sku
from ordo.domain.risk import RiskSignals, signals_of
from ordo.domain.routing import Network, RoutingContext, SplitRules, StockMatrix, build_network
from ordo.domain.routing.context import BoolArray
from ordo.domain.routing.network import DAY_NS, LOCAL_OFFSET_NS, IntArray
from ordo.service.ports import UnitOfWork
from ordo.service.risk.records import signal_of

#: Parcels per order at intake: an order no single warehouse covers is split into at most
#: this many (each line then records its warehouse; cancel, outbound and the playbooks
#: release and consume per line). The house policy (``SplitRules``) and the rules still
#: keep low-value and sealed orders whole.
INTAKE_MAX_PARCELS = SplitRules().max_parcels
#: Parcels per order for everyone else (re-routes): they move an order whole.
DEFAULT_MAX_PARCELS = 1

#: With no carrier in the catalog (a fresh install, a small shop) the warehouses book their
#: own: one carrier over every province of the division registry, able to carry whatever
#: the warehouses can handle, at the model's default rates, so orders still route.
HOUSE_CARRIER = "house", "仓库自选快递 / warehouse's own carrier"


def _fingerprint(uow: UnitOfWork) -> tuple[Any, ...]:
    # One primary-key read a batch: the catalog's revision token, kept by triggers on every
    # write to warehouses, carriers or SKUs (``CatalogRepository.revision``).
    return (uow.catalog.revision(),)


@dataclass(frozen=True, slots=True)
class Catalog:
    """What routing and the intake rules read of the catalog, as of one fingerprint."""

    fingerprint: tuple[Any, ...]
    network: Network
    #: Digest of the warehouse list, the key decisions use to refer to it.
    digest: str
    warehouses_json: str
    skus: Mapping[str, Sku]
    weights_g: Mapping[str, int]
    prices_fen: Mapping[str, int]


#: How long this process trusts the live risk events it read (business time): events other
#: processes write reach its routing within this.
SIGNALS_TTL_NS = 10 * 1_000_000_000


class RoutingCache:
    def __init__(self, provinces: frozenset[str] = frozenset(), policy: SplitRules = SplitRules()) -> None:
        self._provinces = provinces
        #: The house split policy (settings: quantity splits, units a parcel), per number of
        #: parcels a caller allows.
        self._policy = policy
        self._split_rules = {
            n: dataclasses.replace(policy, max_parcels=n) for n in (DEFAULT_MAX_PARCELS, INTAKE_MAX_PARCELS)
        }
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._day: int | None = None
        self._capacity_left: IntArray | None = None
        self._carrier_left: IntArray | None = None
        self._saved: set[str] = set()
        #: Warehouse listings by network digest, as decisions refer to them (never change).
        self._listings: LRUCache[str, list[list[str]]] = LRUCache(maxsize=256)
        #: (read at, valid until, the live risk signals), see :meth:`signals`.
        self._signals: tuple[int, int, RiskSignals] | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._catalog = None

    def catalog(self, uow: UnitOfWork, now_ns: int) -> Catalog:
        """The catalog as of this transaction: the cached one if its fingerprint still holds."""
        fp = _fingerprint(uow)
        cat = self._catalog
        if cat is None or cat.fingerprint != fp:
            cat = _load(uow, fp, self._provinces)
            with self._lock:
                self._catalog = cat
                self._day = None  # capacities are per network
        if cat.digest not in self._saved:
            uow.routing.save_network(cat.digest, cat.warehouses_json, now_ns)
            self._saved.add(cat.digest)
        return cat

    def listing(self, uow: UnitOfWork, digest: str) -> list[list[str]]:
        """The ``[id, name]`` of each warehouse of the network a decision names by ``digest``."""
        with self._lock:
            found = self._listings.get(digest)
        if found is None:
            text = uow.routing.network(digest)
            found = orjson.loads(text) if text else []
            with self._lock:
                self._listings[digest] = found
        return found

    def context(
        self,
        uow: UnitOfWork,
        cat: Catalog,
        skus: Iterable[str],
        now_ns: int,
        *,
        max_parcels: int = DEFAULT_MAX_PARCELS,
        rows: Sequence[tuple[str, str, int]] | None = None,
    ) -> tuple[RoutingContext, tuple[IntArray, IntArray]]:
        """A context over the stock rows of ``skus`` locked in ``uow``, with today's capacity
        left; and that capacity as it started, for :meth:`commit`. ``max_parcels``: how many
        parcels an order may be split into. ``rows``: (warehouse, SKU, available) read by the
        caller instead (a what-if over a read snapshot, which locks nothing)."""
        net = cat.network
        stock = stock_matrix(net, uow.stock.lock_available(skus) if rows is None else rows)
        cap, car = self._left(net, now_ns)
        sig = self.signals(uow, now_ns)
        if sig.closed_carriers:  # a strike: none left for anyone, and none counted as used
            car[[i for i, c in enumerate(net.carriers) if c.id in sig.closed_carriers]] = 0
        ctx = RoutingContext(
            net,
            stock,
            now_ns=now_ns,
            capacity_left=cap.copy(),
            carrier_left=car.copy(),
            outage=_closed(net, sig.closed),
            warehouse_risk=sig.warehouse_risk,
            carrier_risk=sig.carrier_risk,
            risk_notes=sig.notes,
            carrier_notes=sig.carrier_notes,
            split_rules=self._split_rules.get(max_parcels)
            or dataclasses.replace(self._policy, max_parcels=max_parcels),
        )
        return ctx, (cap.copy(), car.copy())

    def signals(self, uow: UnitOfWork, now_ns: int) -> RiskSignals:
        """The live risk events' signals, read again every :data:`SIGNALS_TTL_NS` of business
        time (other processes' events) and at once after this process wrote one
        (:meth:`invalidate_signals`) or when an event's window opens or closes."""
        memo = self._signals
        if memo is not None and memo[0] <= now_ns < memo[1]:
            return memo[2]
        rows = uow.risk.live_events(now_ns)
        sig = signals_of(signal_of(r) for r in rows)
        # Valid until the TTL or the first live event's end, whichever comes first.
        until = now_ns + SIGNALS_TTL_NS
        for r in rows:
            if r["ends_at_ns"] is not None:
                until = min(until, r["ends_at_ns"])
        with self._lock:
            self._signals = (now_ns, until, sig)
        return sig

    def invalidate_signals(self) -> None:
        with self._lock:
            self._signals = None

    def commit(self, ctx: RoutingContext, start: tuple[IntArray, IntArray]) -> None:
        """Count what a committed batch used: ``start`` is what it began with (see ``context``)."""
        with self._lock:
            cap, car = self._capacity_left, self._carrier_left
            if cap is None or car is None or cap.shape != ctx.capacity_left.shape:
                return  # the catalog changed meanwhile: the new day count starts afresh
            cap -= start[0] - ctx.capacity_left
            car -= start[1] - ctx.carrier_left

    def _left(self, net: Network, now_ns: int) -> tuple[IntArray, IntArray]:
        day = (now_ns + LOCAL_OFFSET_NS) // DAY_NS
        with self._lock:
            if self._day != day or self._capacity_left is None or self._carrier_left is None:
                self._day = day
                self._capacity_left = net.w_capacity.copy()
                self._carrier_left = net.c_capacity.copy()
            return self._capacity_left.copy(), self._carrier_left.copy()


def _closed(net: Network, closed: frozenset[str]) -> BoolArray:
    """The outage mask of a network: the warehouses a blocking event closed."""
    out = np.zeros(net.n_warehouses, dtype=bool)
    for w in closed:
        i = net.w_index.get(w)
        if i is not None:
            out[i] = True
    return out


def stock_matrix(net: Network, rows: Sequence[tuple[str, str, int]]) -> StockMatrix:
    """``StockMatrix.from_rows`` with the per-row work done by NumPy (a batch locks ~10 rows an order)."""
    if not rows:
        return StockMatrix([], net.n_warehouses)
    whs, skus, atp = zip(*rows, strict=True)
    m = StockMatrix(sorted(set(skus)), net.n_warehouses)
    w = np.fromiter(map(net.w_index.get, whs, itertools.repeat(-1)), dtype=np.int64, count=len(rows))
    s = np.fromiter(map(m.index.__getitem__, skus), dtype=np.int64, count=len(rows))
    known = w >= 0
    m.atp[s[known], w[known]] = np.maximum(np.array(atp, dtype=np.int64)[known], 0)
    return m


def _load(uow: UnitOfWork, fp: tuple[Any, ...], provinces: frozenset[str]) -> Catalog:
    warehouses = uow.catalog.warehouses()
    carriers = uow.catalog.carriers() or [
        Carrier(*HOUSE_CARRIER, coverage=provinces, capabilities=frozenset(HANDLING_FLAGS))
    ]
    net = build_network(warehouses, carriers)
    skus = {s.sku: s for s in uow.catalog.skus()}
    listing = orjson.dumps([[w.id, w.name] for w in warehouses]).decode()
    digest = hashlib.sha256(listing.encode()).hexdigest()[:16]
    return Catalog(
        fingerprint=fp,
        network=net,
        digest=digest,
        warehouses_json=listing,
        skus=skus,
        weights_g={k: s.weight_g for k, s in skus.items()},
        prices_fen={k: s.price_fen for k, s in skus.items()},
    )
