"""A small hand-made network for routing tests: five warehouses, three carriers, real coordinates."""

from __future__ import annotations

from collections.abc import Mapping

from ordo.domain.orders.model import Carrier, Warehouse, WarehouseClass
from ordo.domain.routing import (
    Directives,
    RouteRequest,
    RoutingContext,
    StockMatrix,
    WarehouseOps,
    build_network,
)
from ordo.domain.routing.network import LOCAL_OFFSET_NS

SH, ZJ, JS, XJ, XZ, GD = "上海市", "浙江省", "江苏省", "新疆维吾尔自治区", "西藏自治区", "广东省"
ZJ_NAME = ZJ
ALL = frozenset({SH, ZJ, JS, XJ, XZ, GD})
ALL_CAPS = frozenset({"cold_chain", "hazmat", "oversize"})

WAREHOUSES = (
    Warehouse("SHA", "上海中心仓", SH, "上海市", "310114", 31.38, 121.27, WarehouseClass.OWN, ALL_CAPS, 1000),
    Warehouse(
        "HGH",
        "杭州中心仓",
        ZJ,
        "杭州市",
        "330110",
        30.42,
        120.30,
        WarehouseClass.OWN,
        frozenset({"cold_chain"}),
        1000,
    ),
    Warehouse(
        "NKG", "南京区域仓", JS, "南京市", "320115", 31.95, 118.84, WarehouseClass.REGIONAL, frozenset(), 1000
    ),
    Warehouse(
        "URC",
        "乌鲁木齐区域仓",
        XJ,
        "乌鲁木齐市",
        "650109",
        43.96,
        87.65,
        WarehouseClass.REGIONAL,
        frozenset(),
        1000,
    ),
    Warehouse(
        "SZV",
        "苏州云仓",
        JS,
        "苏州市",
        "320509",
        31.16,
        120.64,
        WarehouseClass.THIRD_PARTY,
        frozenset(),
        1000,
    ),
)
CARRIERS = (
    Carrier("sf", "顺丰速运", ALL - {XJ, XZ}, frozenset({"cold_chain", "hazmat"}), 1000, 1200, 400),
    Carrier("ems", "中国邮政EMS", ALL, frozenset({"oversize"}), 1000, 1000, 300),
    Carrier("zto", "中通快递", ALL - {XJ, XZ}, frozenset(), 1000, 450, 150),
)
NETWORK = build_network(WAREHOUSES, CARRIERS)
SKUS = ("A", "B", "C", "D")
#: 2026-06-01 10:00 in Shanghai, before every warehouse's 16:00 cut-off.
MORNING_NS = 1_780_279_200 * 10**9 - LOCAL_OFFSET_NS + 8 * 3600 * 10**9
# Coordinates of destinations.
WHERE: Mapping[str, tuple[float, float]] = {
    SH: (31.23, 121.47),
    ZJ: (30.27, 120.15),
    JS: (32.06, 118.80),
    XJ: (43.83, 87.62),
    GD: (23.13, 113.26),
}


def context(
    stock: Mapping[str, Mapping[str, int]] | None = None,
    *,
    now_ns: int = MORNING_NS,
    **kw: object,
) -> RoutingContext:
    """Every warehouse holds 100 of every SKU unless ``stock`` says {warehouse: {sku: units}}."""
    m = StockMatrix(SKUS, len(WAREHOUSES))
    for w in WAREHOUSES:
        for s in SKUS:
            units = 100 if stock is None else stock.get(w.id, {}).get(s, 0)
            m.atp[m.index[s], NETWORK.w_index[w.id]] = units
    net = kw.pop("network", NETWORK)
    return RoutingContext(net, m, now_ns=now_ns, **kw)  # type: ignore[arg-type]


def request(
    lines: tuple[tuple[str, int], ...] = (("A", 1),),
    *,
    to: str = SH,
    order_id: str = "O1",
    flags: frozenset[str] = frozenset(),
    goods_fen: int = 20_000,
    tags: frozenset[str] = frozenset(),
    deadline_ns: int | None = None,
    directives: Directives = Directives(),
    weight_g: int = 1500,
) -> RouteRequest:
    lat, lng = WHERE[to]
    return RouteRequest(
        order_id, lines, flags, to, lat, lng, weight_g, goods_fen, tags, deadline_ns, directives
    )


def ops_network(ops: Mapping[str, WarehouseOps]):  # type: ignore[no-untyped-def]
    return build_network(WAREHOUSES, CARRIERS, ops=ops)
