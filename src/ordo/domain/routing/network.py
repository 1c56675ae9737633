"""The fulfilment network as columns: warehouses and carriers as NumPy arrays.

Owns the translation from ``Warehouse`` / ``Carrier`` values to the arrays the router's
kernels index by position (lat/lng, class, capability bits, province codes, cut-off,
carrier coverage bitmasks). Built once per catalog version and shared read-only by
every routing call; it never holds anything that changes during a day (stock,
capacity left, outages, signals live in ``RoutingContext``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ordo.domain.geo import canonical_province
from ordo.domain.orders.model import Carrier, LineFlag, Warehouse, WarehouseClass

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Handling capabilities as bits, so "can this warehouse ship these flags" is one AND.
FLAG_BITS: Mapping[str, int] = {LineFlag.COLD_CHAIN: 1, LineFlag.HAZMAT: 2, LineFlag.OVERSIZE: 4}
#: The seeds' old static priority (自营仓 → 区域仓 → 第三方仓), kept as one objective.
CLASS_RANK: Mapping[WarehouseClass, int] = {
    WarehouseClass.OWN: 0,
    WarehouseClass.REGIONAL: 1,
    WarehouseClass.THIRD_PARTY: 2,
}
#: China has one civil time zone and no daylight saving, so local = UTC + 8 h exactly.
LOCAL_OFFSET_NS = 8 * 3600 * 10**9
DAY_NS = 24 * 3600 * 10**9
MINUTE_NS = 60 * 10**9


def flag_bits(flags: frozenset[str]) -> int:
    bits = 0
    for f in flags:
        bits |= FLAG_BITS.get(f, 0)
    return bits


@dataclass(frozen=True, slots=True)
class WarehouseOps:
    """Operating terms of a warehouse the catalog does not hold yet (defaults are typical)."""

    #: Local time the last wave of the day is released (截单时间), minutes after midnight.
    cutoff_min: int = 16 * 60
    #: Local time the trunk truck leaves with that wave.
    departure_min: int = 19 * 60
    #: Provinces this warehouse may ship to; empty means all.
    service_area: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CarrierTerms:
    """How a carrier moves a parcel: speeds by mode and when it flies."""

    road_kmph: float = 45.0  # door to door, hub sorting included
    fixed_h: float = 10.0  # pick-up, first and last mile
    #: Beyond this distance the carrier flies the parcel (None: never).
    air_from_km: float | None = None
    air_kmph: float = 300.0


#: Express networks fly long lanes and run faster hubs; 通达 networks truck everything.
DEFAULT_TERMS: Mapping[str, CarrierTerms] = {
    "sf": CarrierTerms(road_kmph=60.0, fixed_h=8.0, air_from_km=900.0),
    "jdl": CarrierTerms(road_kmph=55.0, fixed_h=8.0, air_from_km=1200.0),
    "ems": CarrierTerms(road_kmph=40.0, fixed_h=12.0),
}


@dataclass(frozen=True, slots=True)
class Network:
    warehouses: tuple[Warehouse, ...]
    carriers: tuple[Carrier, ...]
    provinces: tuple[str, ...]
    w_lat: FloatArray
    w_lng: FloatArray
    w_class: IntArray
    w_caps: IntArray
    w_province: IntArray
    w_capacity: IntArray
    w_active: BoolArray
    w_cutoff_min: IntArray
    w_departure_min: IntArray
    #: Bit p set when the warehouse may ship to province p.
    w_service: IntArray
    #: Bit c set when carrier c serves province p (indexed by province).
    p_carriers: IntArray
    c_caps: IntArray
    c_base_fen: IntArray
    c_per_kg_fen: IntArray
    c_capacity: IntArray
    c_terms: tuple[CarrierTerms, ...]
    c_fixed_h: FloatArray
    c_road_kmph: FloatArray
    c_air_from_km: FloatArray  # inf: never flies
    c_air_kmph: FloatArray
    w_index: Mapping[str, int] = field(default_factory=dict)
    c_index: Mapping[str, int] = field(default_factory=dict)
    p_index: Mapping[str, int] = field(default_factory=dict)
    #: Memos that depend on nothing but the network, shared by every context over it (so a
    #: fresh context per wave starts warm): distance rows by destination point, and carrier
    #: facts by (province, flags, started kilos, carriers out of capacity). Values only.
    #: Not init fields, so ``dataclasses.replace`` (new coordinates, say) starts them empty.
    km_memo: dict[tuple[float, float], FloatArray] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    lane_memo: dict[tuple[int, int, int, bytes], tuple[int, int, int, int]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def n_warehouses(self) -> int:
        return len(self.warehouses)


def build_network(
    warehouses: Sequence[Warehouse],
    carriers: Sequence[Carrier],
    *,
    ops: Mapping[str, WarehouseOps] | None = None,
    terms: Mapping[str, CarrierTerms] | None = None,
) -> Network:
    ops = ops or {}
    terms = {**DEFAULT_TERMS, **(terms or {})}
    # Provinces by their full names, however the catalog spelled them (上海 = 上海市), so
    # an order's province (full, from its adcode) meets its warehouses and carriers.
    full = canonical_province
    coverage = [frozenset(map(full, c.coverage)) for c in carriers]
    served_in = {w: frozenset(map(full, o.service_area)) for w, o in ops.items()}
    names: set[str] = {full(w.province) for w in warehouses}
    for cov in coverage:
        names |= cov
    for served in served_in.values():
        names |= served
    provinces = tuple(sorted(names))
    if len(provinces) > 62:  # bitmasks live in int64
        raise ValueError("at most 62 provinces")
    if len(carriers) > 62:
        raise ValueError("at most 62 carriers")
    p_index = {p: i for i, p in enumerate(provinces)}
    everywhere = (1 << len(provinces)) - 1

    def area(w: Warehouse) -> int:
        served = served_in.get(w.id, frozenset())
        return sum(1 << p_index[p] for p in served) if served else everywhere

    p_carriers = np.zeros(len(provinces), dtype=np.int64)
    for ci, cov in enumerate(coverage):
        for p in cov or provinces:
            p_carriers[p_index[p]] |= 1 << ci
    default = WarehouseOps()
    c_terms = tuple(terms.get(c.id, CarrierTerms()) for c in carriers)
    return Network(
        warehouses=tuple(warehouses),
        carriers=tuple(carriers),
        provinces=provinces,
        w_lat=np.array([w.lat for w in warehouses], dtype=np.float64),
        w_lng=np.array([w.lng for w in warehouses], dtype=np.float64),
        w_class=np.array([CLASS_RANK[w.klass] for w in warehouses], dtype=np.int64),
        w_caps=np.array([flag_bits(w.capabilities) for w in warehouses], dtype=np.int64),
        w_province=np.array([p_index[full(w.province)] for w in warehouses], dtype=np.int64),
        w_capacity=np.array([w.daily_capacity for w in warehouses], dtype=np.int64),
        w_active=np.array([w.active for w in warehouses], dtype=bool),
        w_cutoff_min=np.array([ops.get(w.id, default).cutoff_min for w in warehouses], dtype=np.int64),
        w_departure_min=np.array([ops.get(w.id, default).departure_min for w in warehouses], dtype=np.int64),
        w_service=np.array([area(w) for w in warehouses], dtype=np.int64),
        p_carriers=p_carriers,
        c_caps=np.array([flag_bits(c.capabilities) for c in carriers], dtype=np.int64),
        c_base_fen=np.array([c.base_fen for c in carriers], dtype=np.int64),
        c_per_kg_fen=np.array([c.per_kg_fen for c in carriers], dtype=np.int64),
        c_capacity=np.array([c.daily_capacity for c in carriers], dtype=np.int64),
        c_terms=c_terms,
        c_fixed_h=np.array([t.fixed_h for t in c_terms], dtype=np.float64),
        c_road_kmph=np.array([t.road_kmph for t in c_terms], dtype=np.float64),
        c_air_from_km=np.array(
            [np.inf if t.air_from_km is None else t.air_from_km for t in c_terms], dtype=np.float64
        ),
        c_air_kmph=np.array([t.air_kmph for t in c_terms], dtype=np.float64),
        w_index={w.id: i for i, w in enumerate(warehouses)},
        c_index={c.id: i for i, c in enumerate(carriers)},
        p_index=p_index,
    )


def departure_ns(net: Network, now_ns: int) -> IntArray:
    """When each warehouse's next trunk leaves: today's if the cut-off has not passed, else tomorrow's."""
    local = now_ns + LOCAL_OFFSET_NS
    midnight = local - local % DAY_NS
    minute = (local - midnight) // MINUTE_NS
    day = np.where(minute <= net.w_cutoff_min, 0, DAY_NS)
    out: IntArray = midnight + day + net.w_departure_min * MINUTE_NS - LOCAL_OFFSET_NS
    return out
