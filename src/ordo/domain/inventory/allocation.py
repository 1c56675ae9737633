"""Where each order of a batch ships from, for now: the nearest warehouse that holds it all.

Pure and batch-first. The caller passes the warehouses, each order's needs and the
availability of every SKU per warehouse (read under lock by the store); this module
decides and returns the reservations to apply. Orders earlier in the batch see the
stock later orders leave behind, so a batch never promises the same unit twice.
The full multi-objective router is a later module; this is its simplest strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ordo.domain.geo import distance_matrix_km
from ordo.domain.orders.model import Warehouse, WarehouseClass

IntArray = npt.NDArray[np.int64]

_CLASS_ORDER = {WarehouseClass.OWN: 0, WarehouseClass.REGIONAL: 1, WarehouseClass.THIRD_PARTY: 2}


@dataclass(frozen=True, slots=True)
class Demand:
    """What one order needs: units per SKU, handling flags, and where it goes."""

    quantities: Mapping[str, int]
    flags: frozenset[str]
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class Allocation:
    warehouse_id: str | None
    distance_km: float | None = None


class Availability:
    """Available-to-promise per SKU as one integer vector over the warehouses."""

    def __init__(self, warehouses: Sequence[Warehouse]) -> None:
        self.warehouses = list(warehouses)
        self.index = {w.id: i for i, w in enumerate(self.warehouses)}
        self._by_sku: dict[str, IntArray] = {}

    def set(self, warehouse_id: str, sku: str, available: int) -> None:
        self.load(((warehouse_id, sku, available),))

    def load(self, rows: Iterable[tuple[str, str, int]]) -> None:
        """Many (warehouse, SKU, available) rows at once; negative availability reads as 0."""
        index, by_sku, n = self.index, self._by_sku, len(self.warehouses)
        for warehouse_id, sku, available in rows:
            i = index.get(warehouse_id)
            if i is None:
                continue
            vec = by_sku.get(sku)
            if vec is None:
                vec = by_sku[sku] = np.zeros(n, dtype=np.int64)
            vec[i] = available if available > 0 else 0

    def of(self, sku: str) -> IntArray | None:
        return self._by_sku.get(sku)


def allocate(demands: Sequence[Demand], availability: Availability) -> list[Allocation]:
    """Choose, order by order, the nearest eligible warehouse holding every line.

    Eligible means active and capable of the order's handling flags. Ties (and
    orders without coordinates) fall back to warehouse class (own first), then id.
    ``availability`` is decremented as orders are placed.
    """
    whs = availability.warehouses
    n_w = len(whs)
    if n_w == 0:
        return [Allocation(None) for _ in demands]
    base = np.array([w.active for w in whs], dtype=bool)
    tiebreak = np.array(
        [_CLASS_ORDER[w.klass] * 1e-6 + i * 1e-9 for i, w in enumerate(whs)], dtype=np.float64
    )
    w_lat = np.array([w.lat for w in whs], dtype=np.float64)
    w_lng = np.array([w.lng for w in whs], dtype=np.float64)
    located = [i for i, d in enumerate(demands) if d.lat is not None and d.lng is not None]
    dist = np.zeros((len(demands), n_w), dtype=np.float64)
    if located:
        o_lat = np.array([demands[i].lat for i in located], dtype=np.float64)
        o_lng = np.array([demands[i].lng for i in located], dtype=np.float64)
        dist[located] = distance_matrix_km(o_lat, o_lng, w_lat, w_lng)
    capable: dict[frozenset[str], npt.NDArray[np.bool_]] = {}
    out: list[Allocation] = []
    for k, demand in enumerate(demands):
        mask = capable.get(demand.flags)
        if mask is None:
            mask = capable[demand.flags] = base & np.array(
                [w.can_handle(demand.flags) for w in whs], dtype=bool
            )
        mask = mask.copy()
        vectors: list[tuple[IntArray, int]] = []
        for sku, qty in demand.quantities.items():
            vec = availability.of(sku)
            if vec is None:
                mask[:] = False
                break
            mask &= vec >= qty
            vectors.append((vec, qty))
        if not mask.any():
            out.append(Allocation(None))
            continue
        score = np.where(mask, dist[k] + tiebreak, np.inf)
        best = int(np.argmin(score))
        for vec, qty in vectors:
            vec[best] -= qty
        located_km = float(dist[k, best]) if demand.lat is not None else None
        out.append(Allocation(whs[best].id, located_km))
    return out
