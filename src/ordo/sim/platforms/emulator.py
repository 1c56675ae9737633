"""The platforms as Ordo's pull and write-back see them, emulated (see the package doc).

Orders: shop ``s`` has ``orders`` orders; order ``i`` was last modified at
``start_s + i // per_second`` (so a modified-time window maps to a range of indices and
a shop of 100,000 orders costs no memory), and its content comes from
``random.Random(f"{seed}:{shop}:{i}")``. An order becomes visible once the emulator's
clock reaches its modified time. :meth:`Emulator.close_order` re-stamps one as closed
(a later modified time), as a buyer's cancellation does.

Faults, all deterministic: ``rate_per_s`` calls per emulated second per app key (beyond
it, the platform's rate-limit error), ``fail_every`` (every n-th call answers a server
error: HTTP 502 or the platform's ``isp`` error), :meth:`Emulator.outage` (every call
answers HTTP 503 until the given time).

This module holds the shops, the faults, the signature and credential checks and the list
and shipment endpoints; the orders' shapes are in :mod:`.orders` (TOP, JD, Pinduoduo,
Douyin) and :mod:`.orders_more` (Kuaishou, WeChat Channels, Youzan, Xiaohongshu), the error
answers in :mod:`.errors`, the stock, split-parcel and e-waybill calls in :mod:`.stock`,
:mod:`.parcels` and :mod:`.waybills`.
"""

from __future__ import annotations

import json
import random
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordo.adapters.platforms import signing
from ordo.clock import NS_PER_S, Clock
from ordo.sim.platforms import errors, orders, parcels, stock, waybills

_MORE = errors.MORE
#: The error and acknowledgement answers, by the names the side modules import them as.
_error = errors.error
_shipped = errors.shipped

#: Receivers the generated orders ship to (real divisions, full names).
PLACES = (
    ("浙江省", "杭州市", "西湖区"),
    ("上海市", "上海市", "浦东新区"),
    ("北京市", "北京市", "朝阳区"),
    ("广东省", "广州市", "白云区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("四川省", "成都市", "武侯区"),
)
_SURNAMES = "张王李赵刘陈杨黄周吴"


@dataclass(frozen=True, slots=True)
class EmulatedShop:
    shop_id: str
    channel: str
    app_key: str
    app_secret: str
    session: str
    orders: int = 1_000
    start_s: int = 0
    per_second: int = 10
    seed: int = 1


@dataclass
class _ShopState:
    spec: EmulatedShop
    secret: str
    session: str
    number: int
    #: index → (modified_s, closed): orders re-stamped after their first version.
    restamped: dict[int, int] = field(default_factory=dict)
    #: external id → [(waybill, company)] confirmed.
    shipped: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    quantities: dict[tuple[str, str], int] = field(default_factory=dict)


class Emulator:
    def __init__(
        self,
        clock: Clock,
        shops: Sequence[EmulatedShop],
        *,
        skus: Sequence[tuple[str, int, str]] = (("SKU-TEA", 12_800, "西湖龙井 250g"),),
        rate_per_s: int = 0,
        fail_every: int = 0,
        max_page_size: int = 100,
    ) -> None:
        self.clock = clock
        self._skus = tuple(skus)
        self._rate = rate_per_s
        self._fail_every = fail_every
        self._max_page = max_page_size
        self._lock = threading.Lock()
        self._shops: dict[str, _ShopState] = {}
        for s in shops:
            self._shops[s.shop_id] = _ShopState(
                s, s.app_secret, s.session, zlib.crc32(s.shop_id.encode()) % 100_000
            )
        self._calls = 0
        self._window: dict[str, tuple[int, int]] = {}
        self._outage_until_ns = 0
        #: Counters for tests and benchmarks.
        self.stats: dict[str, int] = {"calls": 0, "throttled": 0, "failed": 0, "outage": 0, "refused": 0}
        #: Each acknowledged confirmation: (shop, external id, waybill, emulated time ns).
        self.acks: list[tuple[str, str, str, int]] = []
        #: Each split parcel acknowledged: (shop, external id, waybill) → the line ids it holds.
        self.parcels: dict[tuple[str, str, str], tuple[str, ...]] = {}
        #: Each e-waybill cancelled: (shop, waybill, carrier code, emulated time ns).
        self.cancelled: list[tuple[str, str, str, int]] = []

    # -- the world's controls ------------------------------------------------------
    def outage(self, until_ns: int) -> None:
        """Answer every call with HTTP 503 until ``until_ns`` (emulated time)."""
        with self._lock:
            self._outage_until_ns = until_ns

    def rotate(self, shop_id: str, *, secret: str | None = None, session: str | None = None) -> None:
        """The platform issued new credentials: the old ones stop working at once."""
        with self._lock:
            st = self._shops[shop_id]
            st.secret = secret or st.secret
            st.session = session or st.session

    def close_order(self, shop_id: str, index: int) -> str:
        """The buyer cancelled order ``index``: it is closed and modified now. Its external id."""
        with self._lock:
            st = self._shops[shop_id]
            st.restamped[index] = max(self._now_s(), self._modified_s(st.spec, index) + 1)
            return self.external_id(shop_id, index)

    def shipped(self, shop_id: str) -> Mapping[str, list[tuple[str, str]]]:
        with self._lock:
            return {k: list(v) for k, v in self._shops[shop_id].shipped.items()}

    def quantity(self, shop_id: str, item_id: str, sku_id: str) -> int | None:
        with self._lock:
            return self._shops[shop_id].quantities.get((item_id, sku_id))

    def set_quantity(self, shop_id: str, item_id: str, sku_id: str, quantity: int) -> None:
        """The listing holds ``quantity`` on the platform (a seller's own edit, a sale)."""
        with self._lock:
            self._shops[shop_id].quantities[(item_id, sku_id)] = quantity

    def visible(self, shop_id: str) -> int:
        """How many of the shop's orders exist by now."""
        spec = self._shops[shop_id].spec
        return self._last_index(spec, self._now_s()) + 1

    def external_ids(self, shop_id: str) -> list[str]:
        return [self.external_id(shop_id, i) for i in range(self.visible(shop_id))]

    # -- orders -------------------------------------------------------------------------
    def external_id(self, shop_id: str, index: int) -> str:
        st = self._shops[shop_id]
        n, ch = st.number, st.spec.channel
        if ch in ("taobao", "tmall"):
            return str(3_000_000_000_000_000_000 + n * 10_000_000_000 + index)
        if ch == "jd":
            return str(300_000_000_000 + n * 10_000_000 + index)
        if ch == "pinduoduo":
            return f"261111-{n:05d}{index:010d}"
        if ch == "kuaishou":
            return str(2_611_110_000_000_000 + n * 10_000_000 + index)
        if ch == "wechat_channels":  # past 2^53, a JSON number
            return str(3_700_000_000_000_000_000 + n * 10_000_000_000 + index)
        if ch == "youzan":
            return f"E2026{n:05d}{index:012d}"
        if ch == "xiaohongshu":
            return f"P7{n:05d}{index:012d}"
        return str(6_900_000_000_000_000_000 + n * 10_000_000_000 + index)

    def order(self, shop_id: str, index: int) -> dict[str, Any]:
        """Order ``index`` of the shop in its platform's list-element shape."""
        st = self._shops[shop_id]
        spec = st.spec
        rng = random.Random(f"{spec.seed}:{shop_id}:{index}")
        modified = st.restamped.get(index) or self._modified_s(spec, index)
        closed = index in st.restamped
        created = self._modified_s(spec, index) - 30
        province, city, district = PLACES[rng.randrange(len(PLACES))]
        lines = [
            (*self._skus[rng.randrange(len(self._skus))], rng.randint(1, 3), k)
            for k in range(rng.choice((1, 1, 1, 2)))
        ]
        name = _SURNAMES[rng.randrange(len(_SURNAMES))] + "**"
        phone = f"1{rng.randint(30, 89)}****{rng.randint(0, 9999):04d}"
        detail = f"文三路 {rng.randint(1, 999)} 号"
        goods = sum(price * qty for _, price, _, qty, _ in lines)
        post = rng.choice((0, 0, 800))
        ext = self.external_id(shop_id, index)
        place = (province, city, district, detail)
        return orders.shape(
            spec.channel,
            st.number,
            ext,
            closed,
            created,
            modified,
            goods,
            post,
            lines,
            place,
            name,
            phone,
            rng,
        )

    # -- requests ---------------------------------------------------------------------
    def handle(self, path: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """One HTTP call: (status, JSON body)."""
        platform = {
            "/router/rest": "top",
            "/routerjson": "jd",
            "/api/router": "pinduoduo",
            "/ark/open_api/v3/common_controller": "xiaohongshu",
        }.get(path)
        if platform is None and path.startswith(("/order/", "/sku/", "/logistics/")):
            platform = "douyin"
        elif platform is None and path.startswith("/open/"):
            platform = "kuaishou"
        elif platform is None and path.startswith("/channels/ec/"):
            platform = "wechat_channels"
        elif platform is None and path.startswith("/api/youzan."):
            platform = "youzan"
        if platform is None:
            return 404, {"error": f"no such path {path}"}
        body: dict[str, Any] = {}
        if "__json__" in params:
            try:
                loaded = json.loads(params["__json__"] or "{}")
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict):
                return 400, {"error": "the body is not a JSON object / 请求体不是 JSON 对象"}
            body = loaded
        with self._lock:
            self.stats["calls"] += 1
            self._calls += 1
            now_ns = self.clock.now_ns()
            if now_ns < self._outage_until_ns:
                self.stats["outage"] += 1
                return 503, {"error": "service unavailable / 服务不可用"}
            if self._fail_every and self._calls % self._fail_every == 0:
                self.stats["failed"] += 1
                if self._calls % (2 * self._fail_every) == 0:
                    return 502, {"error": "bad gateway"}
                return 200, _error(platform, "transient")
            signed: Mapping[str, str] | None = params
            if platform in ("wechat_channels", "youzan"):  # the token alone, no signature
                app_key, token, signed = "", params.get("access_token", ""), None
            elif platform == "xiaohongshu":
                app_key, token = str(body.get("appId", "")), str(body.get("accessToken", ""))
                signed = {
                    k: str(body.get(k, "")) for k in ("method", "appId", "timestamp", "version", "sign")
                }
            else:
                app_key = params.get("app_key") or params.get("client_id") or params.get("appkey") or ""
                token = params.get("session") or params.get("access_token") or ""
            st = next(
                (
                    s
                    for s in self._shops.values()
                    if (not app_key or s.spec.app_key == app_key) and s.session == token
                ),
                None,
            )
            if st is None:
                self.stats["refused"] += 1
                return 200, _error(platform, "auth")
            sign_as = st.spec.channel if platform == "top" else platform
            if signed is not None and not signing.check(sign_as, signed, st.secret):
                self.stats["refused"] += 1
                return 200, _error(platform, "sign")
            if self._rate:
                second = now_ns // NS_PER_S
                at, n = self._window.get(app_key + token, (second, 0))
                n = n + 1 if at == second else 1
                self._window[app_key + token] = (second, n)
                if n > self._rate:
                    self.stats["throttled"] += 1
                    return 200, _error(platform, "throttled")
            method = params.get("method") or params.get("type") or ""
            biz: Mapping[str, Any] = params
            if platform == "jd":
                biz = json.loads(params.get("360buy_param_json") or "{}")
            elif platform == "douyin":
                biz = json.loads(params.get("param_json") or "{}")
            elif platform == "kuaishou":
                biz = json.loads(params.get("param") or "{}")
            elif platform == "wechat_channels":
                method, biz = path, body
            elif platform == "youzan":
                method, biz = path.split("/")[2], body
            elif platform == "xiaohongshu":
                method, biz = str(body.get("method", "")), body
            split = parcels.answer(self, platform, method, st, biz, now_ns)
            if split is not None:
                return 200, split
            cancelled = waybills.answer(self, platform, method, st, biz, now_ns)
            if cancelled is not None:
                return 200, cancelled
            stocked = stock.answer(platform, method, st, biz)
            if stocked is not None:
                return 200, stocked
            if platform in _MORE:
                return 200, self._answer_more(platform, method, st, biz, now_ns)
            return 200, self._answer(platform, method, st, biz, now_ns)

    def _answer(
        self, platform: str, method: str, st: _ShopState, biz: Mapping[str, Any], now_ns: int
    ) -> dict[str, Any]:
        spec = st.spec
        if method == "taobao.trades.sold.increment.get":
            lo, hi = _parse_cst(str(biz["start_modified"])), _parse_cst(str(biz["end_modified"]))
            if hi - lo > 86_400:
                return _error(platform, "window")
            page, size = int(biz.get("page_no", 1)), min(int(biz.get("page_size", 40)), self._max_page)
            found = self._window_orders(st, lo, hi)
            items = found[(page - 1) * size : page * size]
            return {
                "trades_sold_increment_get_response": {
                    "total_results": len(found),
                    "has_next": page * size < len(found),
                    "trades": {"trade": [self.order(spec.shop_id, i) for i in items]},
                }
            }
        if method == "jingdong.pop.order.search":
            lo, hi = _parse_cst(str(biz["start_date"])), _parse_cst(str(biz["end_date"]))
            page, size = int(biz.get("page", 1)), min(int(biz.get("page_size", 20)), self._max_page)
            found = self._window_orders(st, lo, hi)
            items = found[(page - 1) * size : page * size]
            return {
                "jingdong_pop_order_search_responce": {
                    "code": "0",
                    "searchorderinfo_result": {
                        "apiResult": {"success": True, "code": "0"},
                        "orderTotal": len(found),
                        "orderInfoList": [self.order(spec.shop_id, i) for i in items],
                    },
                }
            }
        if method == "pdd.order.number.list.increment.get":
            lo, hi = int(biz["start_updated_at"]), int(biz["end_updated_at"])
            if hi - lo > 1_800:
                return _error(platform, "window")
            page, size = int(biz.get("page", 1)), min(int(biz.get("page_size", 100)), self._max_page)
            found = self._window_orders(st, lo, hi)
            items = found[(page - 1) * size : page * size]
            return {
                "order_sn_increment_get_response": {
                    "total_count": len(found),
                    "has_next": page * size < len(found),
                    "order_sn_list": [self.order(spec.shop_id, i) for i in items],
                }
            }
        if method == "order.searchList":
            lo, hi = int(biz["update_time_start"]), int(biz["update_time_end"])
            page, size = int(biz.get("page", 0)), min(int(biz.get("size", 10)), self._max_page)
            found = self._window_orders(st, lo, hi)
            items = found[page * size : (page + 1) * size]
            return {
                "code": 10000,
                "msg": "success",
                "data": {
                    "page": page,
                    "size": size,
                    "total": len(found),
                    "shop_order_list": [self.order(spec.shop_id, i) for i in items],
                },
            }
        shipment = {
            "taobao.logistics.offline.send": ("tid", "out_sid", "company_code"),
            "jingdong.pop.order.shipment": ("orderId", "logiNo", "logiCoprId"),
            "pdd.logistics.online.send": ("order_sn", "tracking_number", "logistics_id"),
            "order.logisticsAdd": ("order_id", "logistics_code", "company_code"),
        }.get(method)
        if shipment is not None:
            ext, waybill, company = (str(biz.get(k, "")) for k in shipment)
            if not ext or not waybill or not company:
                return _error(platform, "missing")
            known = st.shipped.setdefault(ext, [])
            split = platform == "top" and str(biz.get("is_split", "")) == "1"
            if known and not split and (waybill, company) not in known:
                return _error(platform, "already_shipped")
            if (waybill, company) not in known:
                known.append((waybill, company))
                self.acks.append((spec.shop_id, ext, waybill, now_ns))
            return _shipped(platform)
        return _error(platform, "method")

    def _answer_more(
        self, platform: str, method: str, st: _ShopState, biz: Mapping[str, Any], now_ns: int
    ) -> dict[str, Any]:
        """Kuaishou, WeChat Channels, Youzan and Xiaohongshu."""
        spec = st.spec
        try:
            if method == "open.seller.order.pcursor.list":
                lo, hi = int(biz["beginTime"]) // 1000, int(biz["endTime"]) // 1000
                size, at = min(int(biz.get("pageSize", 20)), self._max_page), int(biz.get("pcursor") or 0)
                found = self._window_orders(st, lo, hi)
                items = found[at : at + size]
                nxt = str(at + size) if at + size < len(found) else "nomore"
                orders = [self.order(spec.shop_id, i) for i in items]
                return {"result": 1, "error_msg": "", "data": {"pcursor": nxt, "orderList": orders}}
            if method == "/channels/ec/order/list/get":
                rng_ = biz["update_time_range"]
                lo, hi = int(rng_["start_time"]), int(rng_["end_time"])
                if hi - lo > 7 * 86_400:
                    return _error(platform, "window")
                size, at = min(int(biz.get("page_size", 10)), self._max_page), int(biz.get("next_key") or 0)
                found = self._window_orders(st, lo, hi)
                items = found[at : at + size]
                return {
                    "errcode": 0,
                    "errmsg": "ok",
                    "order_id_list": [int(self.external_id(spec.shop_id, i)) for i in items],
                    "next_key": str(at + size),
                    "has_more": at + size < len(found),
                }
            if method == "/channels/ec/order/get":
                index = self._index_of(st, str(biz.get("order_id", "")))
                if index is None:
                    return {"errcode": 10_020_001, "errmsg": "order not exist / 订单不存在"}
                return {"errcode": 0, "errmsg": "ok", "order": self.order(spec.shop_id, index)}
            if method == "youzan.trades.sold.get":
                lo, hi = _parse_cst(str(biz["start_update"])), _parse_cst(str(biz["end_update"]))
                if hi - lo > 86_400:
                    return _error(platform, "window")
                page, size = int(biz.get("page_no", 1)), min(int(biz.get("page_size", 20)), self._max_page)
                found = self._window_orders(st, lo, hi)
                items = found[(page - 1) * size : page * size]
                return {
                    "success": True,
                    "code": 200,
                    "message": "successful",
                    "data": {
                        "total_results": len(found),
                        "full_order_info_list": [
                            {"full_order_info": self.order(spec.shop_id, i)} for i in items
                        ],
                    },
                }
            if method == "order.getOrderList":
                lo, hi = int(biz["startTime"]), int(biz["endTime"])
                if hi - lo > 1_800:
                    return _error(platform, "window")
                page, size = int(biz.get("pageNo", 1)), min(int(biz.get("pageSize", 50)), self._max_page)
                found = self._window_orders(st, lo, hi)
                items = found[(page - 1) * size : page * size]
                listed = []
                for i in items:
                    o = self.order(spec.shop_id, i)
                    listed.append({k: o[k] for k in ("orderId", "orderStatus", "updateTime", "createdTime")})
                return {
                    "success": True,
                    "code": 0,
                    "msg": "成功",
                    "data": {
                        "total": len(found),
                        "pageNo": page,
                        "pageSize": size,
                        "maxPageNo": -(-len(found) // size),
                        "orderList": listed,
                    },
                }
            if method == "order.getOrderDetail":
                index = self._index_of(st, str(biz.get("orderId", "")))
                if index is None:
                    return {"success": False, "code": -100, "msg": "订单不存在 / no such order"}
                return {"success": True, "code": 0, "msg": "成功", "data": self.order(spec.shop_id, index)}
        except (KeyError, ValueError, TypeError):
            return _error(platform, "missing")
        parcels: list[tuple[str, str]] = []
        split = False
        if method == "open.seller.order.goods.deliver":
            ext = str(biz.get("orderId", ""))
            parcels = [(str(biz.get("expressNo", "")), str(biz.get("expressCode", "")))]
        elif method == "/channels/ec/order/delivery/send":
            ext = str(biz.get("order_id", ""))
            dl = biz.get("delivery_list") or []
            parcels = [
                (str(d.get("waybill_id", "")), str(d.get("delivery_id", "")))
                for d in dl
                if isinstance(d, dict)
            ]
            split = any(isinstance(d, dict) and d.get("product_infos") for d in dl)
        elif method == "youzan.logistics.online.confirm":
            ext = str(biz.get("tid", ""))
            parcels = [(str(biz.get("out_sid", "")), str(biz.get("out_stype", "")))]
            split = bool(biz.get("oids"))
        elif method == "order.orderDeliver":
            ext = str(biz.get("orderId", ""))
            parcels = [(str(biz.get("expressNo", "")), str(biz.get("expressCompanyCode", "")))]
        else:
            return _error(platform, "method")
        if not ext or not parcels or not all(w and c for w, c in parcels):
            return _error(platform, "missing")
        known = st.shipped.setdefault(ext, [])
        if known and not split and any(p not in known for p in parcels):
            return _error(platform, "already_shipped")
        for p in parcels:
            if p not in known:
                known.append(p)
                self.acks.append((spec.shop_id, ext, p[0], now_ns))
        return _shipped(platform)

    def _index_of(self, st: _ShopState, external_id: str) -> int | None:
        """The index of an order by its external id (the inverse of :meth:`external_id`)."""
        width = {"kuaishou": 7, "wechat_channels": 10}.get(st.spec.channel, 12)
        digits = external_id[-width:]
        try:
            index = int(digits)
        except ValueError:
            return None
        if (
            not 0 <= index < self.visible(st.spec.shop_id)
            or self.external_id(st.spec.shop_id, index) != external_id
        ):
            return None
        return index

    # -- the arithmetic of modified times ------------------------------------------------
    def _now_s(self) -> int:
        return self.clock.now_ns() // NS_PER_S

    @staticmethod
    def _modified_s(spec: EmulatedShop, index: int) -> int:
        return spec.start_s + index // spec.per_second

    @staticmethod
    def _last_index(spec: EmulatedShop, now_s: int) -> int:
        if now_s < spec.start_s:
            return -1
        return min(spec.orders - 1, (now_s - spec.start_s + 1) * spec.per_second - 1)

    def _window_orders(self, st: _ShopState, lo: int, hi: int) -> list[int]:
        """Indices of the orders modified in [lo, hi] and visible now, by modified time."""
        spec, now = st.spec, self._now_s()
        hi = min(hi, now)
        first = max(0, (lo - spec.start_s) * spec.per_second)
        last = self._last_index(spec, hi)
        base = [i for i in range(first, last + 1) if i not in st.restamped]
        moved = sorted((m, i) for i, m in st.restamped.items() if lo <= m <= hi)
        return base + [i for _, i in moved]


def _parse_cst(text: str) -> int:
    import datetime as dt

    tz = dt.timezone(dt.timedelta(hours=8))
    return int(dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).timestamp())
