"""What one routing call is given: the requests, and the day's state they are routed against.

``RoutingContext`` carries everything that changes during a day — stock, capacity
left, outages, risk signals, the capacity shadow prices — plus the clock reading,
passed in. The router mutates only ``stock``, ``capacity_left`` and ``carrier_left``
(it reserves what it promises), so the caller decides whether the context is a
throw-away copy (a what-if) or the live day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ordo.domain.geo import canonical_province, province_by_code
from ordo.domain.orders.model import Order
from ordo.domain.routing.network import FloatArray, IntArray, Network, departure_ns, flag_bits
from ordo.domain.routing.profiles import DEFAULT_PROFILE, PROFILES, WeightProfile

BoolArray = npt.NDArray[np.bool_]
_NO_FLAGS: frozenset[str] = frozenset()


class StockMatrix:
    """Available-to-promise as one int64 matrix, SKUs (rows) × warehouses (columns)."""

    def __init__(self, skus: Sequence[str], n_warehouses: int, values: IntArray | None = None) -> None:
        self.skus = list(skus)
        self.index = {s: i for i, s in enumerate(self.skus)}
        self.atp: IntArray = (
            values.astype(np.int64, copy=True)
            if values is not None
            else np.zeros((len(self.skus), n_warehouses), dtype=np.int64)
        )
        #: Units a SKU sells per day (for stock depth); 1.0 where unknown.
        self.velocity: FloatArray = np.ones(len(self.skus), dtype=np.float64)

    @classmethod
    def from_rows(cls, net: Network, rows: Iterable[tuple[str, str, int]]) -> StockMatrix:
        """From (warehouse id, sku, available) rows, as the store's ``lock_available`` yields them."""
        rows = list(rows)
        m = cls(sorted({sku for _, sku, _ in rows}), net.n_warehouses)
        for wh, sku, atp in rows:
            w = net.w_index.get(wh)
            if w is not None:
                m.atp[m.index[sku], w] = max(0, atp)
        return m

    def row(self, sku: str) -> int:
        """Row of a SKU; -1 when no warehouse holds it."""
        return self.index.get(sku, -1)

    def copy(self) -> StockMatrix:
        out = StockMatrix(self.skus, self.atp.shape[1], self.atp)
        out.velocity = self.velocity.copy()
        return out


@dataclass(frozen=True, slots=True)
class Directives:
    """What the fired routing rules ask of one order (all optional).

    Built from the rules by :func:`ordo.rules.evaluation.directives.directives_from_fired`:
    the domain never imports the rule language."""

    profile: str | None = None
    prefer: str | None = None
    exclude: frozenset[str] = frozenset()
    carrier: str | None = None
    split_allowed: bool | None = None
    rule_ids: tuple[str, ...] = ()
    #: Carriers a rule bars for this order (``偏远地区 不用 极兔``).
    avoid_carriers: frozenset[str] = frozenset()
    #: Seconds a merge-window rule (合单) holds the order for the customer's others; None: none.
    merge_window_s: int | None = None


@dataclass(frozen=True, slots=True)
class SplitRules:
    """House policy on splitting, applied before the rules' own ``SplitPolicy``."""

    #: Orders below this goods value never split (a second parcel costs more than it earns).
    min_goods_fen: int = 5_000
    max_parcels: int = 3
    #: Orders carrying this tag are packed as one (gift boxes, sealed sets).
    sealed_tag: str = "sealed"
    #: The same in the words a rule writes (``标记 封单`` / ``标记 "不拆不合"``): never split.
    sealed_words: frozenset[str] = frozenset({"封单", "不拆不合"})
    #: When no warehouse holds all units of a line, ship its units from several (3 from
    #: 上海仓, 2 from 杭州仓) rather than hold the order for stock; within ``max_parcels``.
    quantity_split: bool = True
    #: No parcel of a quantity split carries fewer units than this (a one-unit parcel may
    #: cost more to ship than the unit earns).
    min_units: int = 1


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """One order as the router needs it."""

    order_id: str
    lines: tuple[tuple[str, int], ...]  # (sku, units); one entry per SKU
    flags: frozenset[str]
    province: str
    lat: float
    lng: float
    weight_g: int
    goods_fen: int = 0
    tags: frozenset[str] = frozenset()
    #: Latest acceptable delivery (a channel's 次日达 commitment); None: no deadline.
    deadline_ns: int | None = None
    directives: Directives = Directives()

    @property
    def flag_bits(self) -> int:
        return flag_bits(self.flags)

    @classmethod
    def of_order(
        cls,
        order: Order,
        weights_g: Mapping[str, int],
        *,
        directives: Directives = Directives(),
        deadline_ns: int | None = None,
    ) -> RouteRequest:
        """From a canonical order with a located ship-to (intake holds unlocated ones back).

        The one order → request conversion (intake, re-route, benches, tests). One pass over
        the lines instead of ``Order.quantities()``, ``.flags`` and ``.goods_fen`` each
        walking them: intake builds one request per order, inside the figure of
        BENCHMARKS.md "Intake"."""
        ship = order.ship_to
        if ship.lat is None or ship.lng is None:
            raise ValueError(f"order {order.id} has no coordinates to route to")
        need: dict[str, int] = {}
        flags = _NO_FLAGS
        goods = 0
        for ln in order.lines:
            sku, q = ln.sku, ln.quantity
            need[sku] = need.get(sku, 0) + q
            goods += q * ln.unit_price_fen - ln.discount_fen
            if ln.flags:
                flags = flags | ln.flags
        get = weights_g.get
        # The province by the adcode when there is one (the name as written otherwise, in
        # its full form): the network names provinces so, whatever a channel sent.
        province = province_by_code(ship.adcode) if ship.adcode else None
        return cls(
            order.id,
            tuple(need.items()),
            flags,
            province.name if province is not None else canonical_province(ship.province),
            ship.lat,
            ship.lng,
            sum([get(sku, 0) * q for sku, q in need.items()]),
            goods,
            frozenset(order.tags),
            deadline_ns if deadline_ns is not None else order.promised_at_ns,
            directives,
        )


@dataclass(slots=True)
class RoutingContext:
    network: Network
    stock: StockMatrix
    now_ns: int
    #: Parcels each warehouse may still ship today; defaults to its daily capacity.
    capacity_left: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    carrier_left: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    outage: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: Weather / congestion signal 0..1 per province (by name) and per warehouse (by id).
    region_risk: Mapping[str, float] = field(default_factory=dict)
    warehouse_risk: Mapping[str, float] = field(default_factory=dict)
    carrier_risk: Mapping[str, float] = field(default_factory=dict)
    #: The live outside events behind those signals, per warehouse and per carrier id:
    #: ``[event id, zh, en, weight, blocks]`` each (``ordo.domain.risk.EventSignal.note``),
    #: kept with a decision so its explanation names the event.
    risk_notes: Mapping[str, tuple[list[object], ...]] = field(default_factory=dict)
    carrier_notes: Mapping[str, tuple[list[object], ...]] = field(default_factory=dict)
    #: Shadow price of one more parcel of capacity per warehouse, from the last wave's optimiser.
    capacity_price: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    profiles: Mapping[str, WeightProfile] = field(default_factory=lambda: dict(PROFILES))
    default_profile: str = DEFAULT_PROFILE
    split_rules: SplitRules = SplitRules()
    #: Origin risk per warehouse, derived from the signals once per context.
    w_risk: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    #: Memos: distance rows by destination point, carrier eligibility by (province, flags,
    #: started kilos, carriers out of capacity). By default the network's own, shared by
    #: every context over it; they hold nothing that changes during a day.
    km_rows: dict[tuple[float, float], FloatArray] = field(default_factory=dict)
    lanes: dict[tuple[int, int, int, bytes], tuple[int, int, int, int]] = field(default_factory=dict)
    _departures: tuple[int, Network, IntArray] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.network.n_warehouses
        if self.capacity_left.size == 0:
            self.capacity_left = self.network.w_capacity.copy()
        if self.carrier_left.size == 0:
            self.carrier_left = self.network.c_capacity.copy()
        if self.outage.size == 0:
            self.outage = np.zeros(n, dtype=bool)
        if self.capacity_price.size == 0:
            self.capacity_price = np.zeros(n, dtype=np.float64)
        self.w_risk = self.origin_risk()
        if not self.km_rows:
            self.km_rows = self.network.km_memo
        if not self.lanes:
            self.lanes = self.network.lane_memo

    def departures(self) -> IntArray:
        """When each warehouse's next trunk leaves as of ``now_ns`` (worked out once per
        reading of the clock: every decision of a context needs it)."""
        memo = self._departures
        if memo is None or memo[0] != self.now_ns or memo[1] is not self.network:
            depart = departure_ns(self.network, self.now_ns)
            depart.flags.writeable = False  # shared by the context's decisions
            memo = self._departures = (self.now_ns, self.network, depart)
        return memo[2]

    def profile_for(self, d: Directives) -> WeightProfile:
        return self.profiles.get(d.profile or self.default_profile) or self.profiles[self.default_profile]

    def origin_risk(self) -> FloatArray:
        net = self.network
        risk = {canonical_province(p): r for p, r in self.region_risk.items()}  # 上海 = 上海市
        region = np.array([risk.get(p, 0.0) for p in net.provinces], dtype=np.float64)
        own = np.array([self.warehouse_risk.get(w.id, 0.0) for w in net.warehouses], dtype=np.float64)
        out: FloatArray = np.maximum(region[net.w_province], own)
        return out


def split_allowed(req: RouteRequest, rules: SplitRules) -> bool:
    """A sealed order never splits; a rule decides next; else low-value orders stay whole."""
    if rules.sealed_tag in req.tags or not rules.sealed_words.isdisjoint(req.tags):
        return False
    if req.directives.split_allowed is not None:
        return req.directives.split_allowed
    return req.goods_fen >= rules.min_goods_fen
