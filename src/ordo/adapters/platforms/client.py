"""Calls to the platforms' open APIs: the order list / increment call, shipment
confirmation and stock updates, each signed as its platform documents it.

    client = PlatformClient(httpx.Client(...))
    page = client.list_page(creds, start_s, end_s, page_no, now_s)   # -> Page
    client.confirm_shipment(creds, external_id, waybill, company, now_s)

Per platform:

========== ======================================= =====================================
platform   list / increment                        shipment confirmation
========== ======================================= =====================================
taobao     ``taobao.trades.sold.increment.get``     ``taobao.logistics.offline.send``
tmall      (TOP, ``/router/rest``; ≤ 1 day/window)  (``is_split`` + ``sub_tid`` for parcels)
jd         ``jingdong.pop.order.search``            ``jingdong.pop.order.shipment``
           (``/routerjson``, ``360buy_param_json``)
pinduoduo  ``pdd.order.number.list.increment.get``  ``pdd.logistics.online.send``
           (``/api/router``; ≤ 30 min/window)
douyin     ``order.searchList`` (``/order/searchList``) ``order.logisticsAdd``
kuaishou   ``open.seller.order.pcursor.list``       ``open.seller.order.goods.deliver``
           (``/open/seller/order/pcursor/list``,
           ``pcursor`` paging, times in ms)
wechat_    ``/channels/ec/order/list/get`` (ids,     ``/channels/ec/order/delivery/send``
channels   ``next_key`` paging) + ``/channels/ec/    (every parcel in ``delivery_list``)
           order/get`` per id (JSON, access_token)
youzan     ``youzan.trades.sold.get`` 4.0.4 (JSON,  ``youzan.logistics.online.confirm``
           ``start_update`` / ``end_update``)       3.0.0 (``oids`` for a split parcel)
xiaohongshu ``order.getOrderList`` (status only)     ``order.orderDeliver``
           + ``order.getOrderDetail`` per id
           (ark ``common_controller``; ≤ 30 min)
========== ======================================= =====================================

``wechat_mp`` (the WeChat mini-program shop, 微信小商店) is not pulled: the shop API was
retired into the Channels shop (视频号小店) in 2022; its shops pull as ``wechat_channels``.

Each answer is read in its platform's envelope; an error answer becomes a
:class:`PlatformError` whose ``kind`` says what the caller should do: ``throttled`` and
``transient`` (rate limit, ``isp.*`` / 5xx, connection failure) are retried with backoff,
``auth`` and ``refused`` are not. "Already shipped" answers to a confirmation count as
acknowledged (a retry after a lost answer must not fail). Orders come back as JSON text,
one per order, in the shape the channel's adapter reads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import httpx

from ordo.adapters.platforms import signing

#: Platforms Ordo pulls from and writes back to.
PLATFORMS = (
    "taobao",
    "tmall",
    "jd",
    "pinduoduo",
    "douyin",
    "kuaishou",
    "wechat_channels",
    "youzan",
    "xiaohongshu",
)
#: Widest modified-time window one list call may ask for (the platforms' documented limits).
MAX_WINDOW_S: Mapping[str, int] = {
    "taobao": 86_400,
    "tmall": 86_400,
    "jd": 86_400,
    "pinduoduo": 1_800,
    "douyin": 86_400,
    "kuaishou": 7 * 86_400,
    "wechat_channels": 7 * 86_400,
    "youzan": 86_400,
    "xiaohongshu": 1_800,
}
PAGE_SIZE = 100
_CST = dt.timezone(dt.timedelta(hours=8))
_JD_STATES = "WAIT_SELLER_STOCK_OUT,WAIT_GOODS_RECEIVE_CONFIRM,FINISHED_L,TRADE_CANCELED"
#: Platforms whose confirmation takes several waybills for one order (split parcels).
SPLITS = frozenset({"taobao", "tmall"})
#: Platforms whose listings Ordo sets the sellable quantity of (:meth:`PlatformClient.update_quantity`).
STOCK_PLATFORMS = frozenset({"taobao", "tmall"})
#: Answer codes the platforms send for a call made too often (emulated where undocumented).
_KS_THROTTLED = {"9", "429"}
_KS_AUTH = {"24", "25", "28"}
_WX_AUTH = {"40001", "40014", "42001"}
_WX_THROTTLED = {"45009", "45011"}
_YZ_AUTH = {"4201", "4202", "4203"}
_YZ_THROTTLED = {"429", "4291"}
_XHS_AUTH = {"-1001", "-1002", "-1003"}
_XHS_THROTTLED = {"-1010", "429"}


class Credentials(NamedTuple):
    channel: str
    app_key: str
    app_secret: str
    session: str
    endpoint: str


class Page(NamedTuple):
    #: One JSON text per order, as the channel adapter reads it.
    orders: list[str]
    has_next: bool
    total: int
    #: The next page's cursor where the platform pages by cursor (Kuaishou, WeChat Channels).
    cursor: str = ""
    #: Where the list names orders only (WeChat Channels, Xiaohongshu): their ids, each to be
    #: read by :meth:`PlatformClient.order_detail` (one call each, retried on its own).
    detail_ids: tuple[str, ...] = ()


class PlatformError(Exception):
    """An answer that is not a success. ``kind``: throttled, transient, auth or refused."""

    def __init__(self, kind: str, code: str, message: str) -> None:
        super().__init__(f"{kind} {code}: {message}")
        self.kind = kind
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.kind in ("throttled", "transient")


def cst(seconds: int) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in Asia/Shanghai, as TOP and JD take times."""
    return dt.datetime.fromtimestamp(seconds, _CST).strftime("%Y-%m-%d %H:%M:%S")


class PlatformClient:
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    # -- list / increment ------------------------------------------------------
    def list_page(
        self, creds: Credentials, start_s: int, end_s: int, page: int, now_s: int, *, cursor: str = ""
    ) -> Page:
        """Page ``page`` (1-based) of the orders modified in [start_s, end_s]; ``cursor`` is the
        previous page's :attr:`Page.cursor` on the platforms that page by cursor."""
        ch = creds.channel
        if ch in ("kuaishou", "wechat_channels", "youzan", "xiaohongshu"):
            return self._list_more(creds, start_s, end_s, page, now_s, cursor)
        if ch in ("taobao", "tmall"):
            body = self._call(
                creds,
                "taobao.trades.sold.increment.get",
                {
                    "fields": "tid,tid_str,status,created,pay_time,modified,consign_time,end_time,payment,"
                    "post_fee,total_fee,discount_fee,buyer_message,buyer_open_uid,oaid,receiver_name,"
                    "receiver_mobile,receiver_state,receiver_city,receiver_district,receiver_town,"
                    "receiver_address,orders",
                    "start_modified": cst(start_s),
                    "end_modified": cst(end_s),
                    "page_no": str(page),
                    "page_size": str(PAGE_SIZE),
                    "use_has_next": "true",
                },
                now_s,
            )
            r = _inner(body, "trades_sold_increment_get_response")
            trades = (r.get("trades") or {}).get("trade") or []
            return Page([_text(t) for t in trades], bool(r.get("has_next")), int(r.get("total_results") or 0))
        if ch == "jd":
            body = self._call(
                creds,
                "jingdong.pop.order.search",
                {
                    "start_date": cst(start_s),
                    "end_date": cst(end_s),
                    "order_state": _JD_STATES,
                    "dateType": "0",
                    "page": str(page),
                    "page_size": str(PAGE_SIZE),
                },
                now_s,
            )
            r = _inner(body, "jingdong_pop_order_search_responce").get("searchorderinfo_result") or {}
            items = r.get("orderInfoList") or []
            total = int(r.get("orderTotal") or 0)
            return Page([_text(o) for o in items], page * PAGE_SIZE < total, total)
        if ch == "pinduoduo":
            body = self._call(
                creds,
                "pdd.order.number.list.increment.get",
                {
                    "is_lucky_flag": "0",
                    "order_status": "5",
                    "refund_status": "5",
                    "start_updated_at": str(start_s),
                    "end_updated_at": str(end_s),
                    "page": str(page),
                    "page_size": str(PAGE_SIZE),
                    "use_has_next": "true",
                },
                now_s,
            )
            r = _inner(body, "order_sn_increment_get_response")
            items = r.get("order_sn_list") or []
            wrapped = [_text({"order_info_get_response": {"order_info": o}}) for o in items]
            return Page(wrapped, bool(r.get("has_next")), int(r.get("total_count") or 0))
        if ch == "douyin":
            data = self._call(
                creds,
                "order.searchList",
                {
                    "update_time_start": start_s,
                    "update_time_end": end_s,
                    "order_by": "update_time",
                    "order_asc": True,
                    "page": page - 1,  # Douyin pages from 0
                    "size": PAGE_SIZE,
                },
                now_s,
            )
            d = data.get("data") or {}
            items = d.get("shop_order_list") or []
            total = int(d.get("total") or 0)
            wrapped = [_text({"code": 10000, "data": {"shop_order_detail": o}}) for o in items]
            return Page(wrapped, page * PAGE_SIZE < total, total)
        raise PlatformError("refused", "unsupported", f"no pull for channel {ch!r} / 渠道「{ch}」不支持拉单")

    def _list_more(
        self, creds: Credentials, start_s: int, end_s: int, page: int, now_s: int, cursor: str
    ) -> Page:
        ch = creds.channel
        if ch == "kuaishou":
            data = self._call(
                creds,
                "open.seller.order.pcursor.list",
                {
                    "type": 1,  # every status
                    "pageSize": PAGE_SIZE,
                    "sort": 1,
                    "queryType": 2,  # by update time
                    "beginTime": start_s * 1000,
                    "endTime": end_s * 1000,
                    "pcursor": cursor,
                },
                now_s,
            )
            d = data.get("data") or {}
            nxt = str(d.get("pcursor") or "nomore")
            items = d.get("orderList") or []
            more = nxt != "nomore" and bool(items)
            return Page([_text(o) for o in items], more, len(items), "" if not more else nxt)
        if ch == "wechat_channels":
            body = self._call(
                creds,
                "/channels/ec/order/list/get",
                {
                    "update_time_range": {"start_time": start_s, "end_time": end_s},
                    "page_size": PAGE_SIZE,
                    **({"next_key": cursor} if cursor else {}),
                },
                now_s,
            )
            ids = tuple(str(i) for i in body.get("order_id_list") or [])
            more = bool(body.get("has_more")) and bool(ids)
            return Page([], more, len(ids), str(body.get("next_key") or "") if more else "", ids)
        if ch == "youzan":
            body = self._call(
                creds,
                "youzan.trades.sold.get",
                {
                    "start_update": cst(start_s),
                    "end_update": cst(end_s),
                    "page_no": page,
                    "page_size": PAGE_SIZE,
                },
                now_s,
            )
            d = body.get("data") or {}
            items = d.get("full_order_info_list") or []
            total = int(d.get("total_results") or 0)
            return Page([_text(o) for o in items], page * PAGE_SIZE < total, total)
        # xiaohongshu: the list holds ids and statuses; each order is read in full
        body = self._call(
            creds,
            "order.getOrderList",
            {"startTime": start_s, "endTime": end_s, "timeType": 2, "pageNo": page, "pageSize": PAGE_SIZE},
            now_s,
        )
        d = body.get("data") or {}
        ids = tuple(str(o.get("orderId")) for o in d.get("orderList") or [] if isinstance(o, dict))
        return Page([], page < int(d.get("maxPageNo") or 0), int(d.get("total") or 0), "", ids)

    def order_detail(self, creds: Credentials, order_id: str, now_s: int) -> str:
        """One order in full, as JSON text the channel's mapping reads (WeChat Channels'
        ``/channels/ec/order/get``, Xiaohongshu's ``order.getOrderDetail``)."""
        if creds.channel == "wechat_channels":
            body = self._call(creds, "/channels/ec/order/get", {"order_id": order_id}, now_s)
            return _text({"order": body.get("order") or {}})
        if creds.channel == "xiaohongshu":
            body = self._call(creds, "order.getOrderDetail", {"orderId": order_id}, now_s)
            return _text({"success": True, "code": 0, "data": body.get("data") or {}})
        raise PlatformError("refused", "unsupported", f"no detail call for {creds.channel!r} / 不支持")

    # -- write-back ---------------------------------------------------------------
    def confirm_shipment(
        self,
        creds: Credentials,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        now_s: int,
        *,
        sub_ids: Sequence[str] = (),
    ) -> None:
        """Tell the platform the order shipped: ``waybills`` are (waybill, company id) pairs.

        Returns normally when the platform acknowledged it (or already knew)."""
        ch = creds.channel
        waybill, company = waybills[0]
        try:
            if ch in ("taobao", "tmall"):
                params = {"tid": external_id, "out_sid": waybill, "company_code": company}
                if sub_ids:
                    params |= {"is_split": "1", "sub_tid": ",".join(sub_ids)}
                body = self._call(creds, "taobao.logistics.offline.send", params, now_s)
                ok = ((_inner(body, "logistics_offline_send_response").get("shipping")) or {}).get(
                    "is_success"
                )
            elif ch == "jd":
                params = {
                    "orderId": external_id,
                    "logiCoprId": company,
                    "logiNo": "|".join(w for w, _ in waybills),
                }
                body = self._call(creds, "jingdong.pop.order.shipment", params, now_s)
                r = _inner(body, "jingdong_pop_order_shipment_responce").get("sopjosshipment_result") or {}
                ok = r.get("success")
            elif ch == "pinduoduo":
                params = {"order_sn": external_id, "logistics_id": company, "tracking_number": waybill}
                body = self._call(creds, "pdd.logistics.online.send", params, now_s)
                ok = _inner(body, "logistics_online_send_response").get("is_success")
            elif ch == "douyin":
                biz = {"order_id": external_id, "company_code": company, "logistics_code": waybill}
                body = self._call(creds, "order.logisticsAdd", biz, now_s)
                ok = True
            elif ch == "kuaishou":
                biz = {"orderId": external_id, "expressNo": waybill, "expressCode": company}
                self._call(creds, "open.seller.order.goods.deliver", biz, now_s)
                ok = True
            elif ch == "wechat_channels":
                parcels: list[dict[str, Any]] = [
                    {"delivery_id": c, "waybill_id": w, "deliver_type": 1} for w, c in waybills
                ]
                if sub_ids:  # a split parcel names its products (product_id:sku_id[:count])
                    for p in parcels:
                        p["product_infos"] = [_wx_product(x) for x in sub_ids]
                wx: dict[str, Any] = {"order_id": external_id, "delivery_list": parcels}
                self._call(creds, "/channels/ec/order/delivery/send", wx, now_s)
                ok = True
            elif ch == "youzan":
                yz: dict[str, Any] = {
                    "tid": external_id,
                    "out_stype": company,
                    "out_sid": waybill,
                    "is_no_express": 0,
                }
                if sub_ids:
                    yz["oids"] = ",".join(sub_ids)
                body = self._call(creds, "youzan.logistics.online.confirm", yz, now_s)
                ok = (body.get("data") or {}).get("is_success", body.get("success"))
            elif ch == "xiaohongshu":
                biz = {"orderId": external_id, "expressNo": waybill, "expressCompanyCode": company}
                self._call(creds, "order.orderDeliver", biz, now_s)
                ok = True
            else:
                raise PlatformError(
                    "refused", "unsupported", f"no write-back for {ch!r} / 渠道「{ch}」不支持回传"
                )
        except PlatformError as exc:
            if exc.code == "already_shipped":
                return
            raise
        if not ok:
            raise PlatformError("refused", "not_success", "the platform did not confirm / 平台未确认发货")

    def update_quantity(
        self, creds: Credentials, item_id: str, sku_id: str, quantity: int, now_s: int
    ) -> None:
        """Set the sellable quantity of one SKU (TOP ``taobao.item.quantity.update``, type 1: full)."""
        if creds.channel not in STOCK_PLATFORMS:
            raise PlatformError("refused", "unsupported", "stock sync: TOP only / 库存同步仅支持淘宝天猫")
        params = {"num_iid": item_id, "sku_id": sku_id, "quantity": str(quantity), "type": "1"}
        _inner(
            self._call(creds, "taobao.item.quantity.update", params, now_s), "item_quantity_update_response"
        )

    # -- one signed call -------------------------------------------------------------
    def _call(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> dict[str, Any]:
        ch = creds.channel
        if ch in ("taobao", "tmall"):
            url = creds.endpoint.rstrip("/") + "/router/rest"
            params = {
                "method": method,
                "app_key": creds.app_key,
                "session": creds.session,
                "timestamp": cst(now_s),
                "format": "json",
                "v": "2.0",
                "sign_method": "md5",
                **{k: str(v) for k, v in biz.items()},
            }
        elif ch == "jd":
            url = creds.endpoint.rstrip("/") + "/routerjson"
            params = {
                "method": method,
                "app_key": creds.app_key,
                "access_token": creds.session,
                "timestamp": cst(now_s),
                "v": "2.0",
                "360buy_param_json": json.dumps(dict(biz), ensure_ascii=False, separators=(",", ":")),
            }
        elif ch == "pinduoduo":
            url = creds.endpoint.rstrip("/") + "/api/router"
            params = {
                "type": method,
                "client_id": creds.app_key,
                "access_token": creds.session,
                "timestamp": str(now_s),
                "data_type": "JSON",
                "version": "V1",
                **{k: str(v) for k, v in biz.items()},
            }
        elif ch in ("wechat_channels", "youzan", "xiaohongshu"):
            return self._call_json(creds, method, biz, now_s)
        elif ch == "kuaishou":
            url = creds.endpoint.rstrip("/") + "/" + method.replace(".", "/")
            params = {
                "appkey": creds.app_key,
                "method": method,
                "version": "1",
                "access_token": creds.session,
                "timestamp": str(now_s * 1000),
                "signMethod": "MD5",
                "param": json.dumps(dict(biz), ensure_ascii=False, separators=(",", ":")),
            }
        else:  # douyin: /order/searchList for order.searchList
            url = creds.endpoint.rstrip("/") + "/" + method.replace(".", "/")
            params = {
                "app_key": creds.app_key,
                "method": method,
                "access_token": creds.session,
                "param_json": signing.douyin_param_json(biz),
                "timestamp": cst(now_s),
                "v": "2",
                "sign_method": "md5",
            }
        params["sign"] = signing.sign(ch, params, creds.app_secret)
        try:
            resp = self._http.post(url, data=params)
        except httpx.HTTPError as exc:
            raise PlatformError("transient", "connection", f"{type(exc).__name__}: {exc}") from None
        return self._answer(ch, resp)

    def _call_json(
        self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int
    ) -> dict[str, Any]:
        """WeChat Channels, Youzan and Xiaohongshu: a JSON body."""
        ch, base = creds.channel, creds.endpoint.rstrip("/")
        query: dict[str, str] = {}
        body: dict[str, Any] = dict(biz)
        if ch == "wechat_channels":  # method is the path
            url, query = base + method, {"access_token": creds.session}
        elif ch == "youzan":
            version = _YZ_VERSIONS.get(method, "1.0.0")
            url, query = f"{base}/api/{method}/{version}", {"access_token": creds.session}
        else:  # xiaohongshu
            url = base + "/ark/open_api/v3/common_controller"
            system = {"method": method, "appId": creds.app_key, "timestamp": str(now_s), "version": "2.0"}
            body = {**system, "sign": signing.xiaohongshu_sign(system, creds.app_secret)}
            body |= {"accessToken": creds.session, **biz}
        try:
            resp = self._http.post(url, params=query, content=_text(body), headers=_JSON)
        except httpx.HTTPError as exc:
            raise PlatformError("transient", "connection", f"{type(exc).__name__}: {exc}") from None
        return self._answer(ch, resp)

    @staticmethod
    def _answer(ch: str, resp: httpx.Response) -> dict[str, Any]:
        if resp.status_code >= 500 or resp.status_code == 429:
            kind = "throttled" if resp.status_code == 429 else "transient"
            raise PlatformError(kind, f"http_{resp.status_code}", resp.text[:200])
        try:
            body = resp.json()
        except ValueError:
            raise PlatformError("transient", "not_json", resp.text[:200]) from None
        if not isinstance(body, dict):
            raise PlatformError("transient", "not_json", resp.text[:200])
        _raise_error(ch, body)
        return body


# -- envelopes ------------------------------------------------------------------------
_JSON = {"Content-Type": "application/json; charset=utf-8"}
#: Youzan's API versions of the calls Ordo makes (the version is part of the path).
_YZ_VERSIONS = {"youzan.trades.sold.get": "4.0.4", "youzan.logistics.online.confirm": "3.0.0"}


def _wx_product(sub_id: str) -> dict[str, Any]:
    product, _, rest = sub_id.partition(":")
    sku, _, count = rest.partition(":")
    return {"product_id": product, "sku_id": sku, "product_cnt": int(count or 1)}


def _text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _inner(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    inner = body.get(key)
    if not isinstance(inner, dict):
        raise PlatformError("transient", "no_envelope", f"no {key} in the answer / 应答缺少 {key}")
    return inner


#: TOP platform error codes that mean "call less often" and "try again later".
_TOP_THROTTLED = {"4", "5", "6", "7", "8"}
_TOP_TRANSIENT = {"10", "15", "520"}
_TOP_AUTH = {"25", "26", "27", "28", "29", "53"}


def _raise_error(ch: str, body: Mapping[str, Any]) -> None:
    if ch == "douyin":
        code = str(body.get("code", ""))
        if code == "10000":
            return
        sub = str(body.get("sub_code") or "")
        msg = str(body.get("sub_msg") or body.get("msg") or "")
        if sub.startswith("isv.access-token") or sub.startswith("isv.sign") or code == "30001":
            raise PlatformError("auth", sub or code, msg)
        if code == "50002" or "limit" in sub:
            raise PlatformError("throttled", sub or code, msg)
        if code.startswith("2") or sub.startswith("isp."):
            raise PlatformError("transient", sub or code, msg)
        raise PlatformError("refused", sub or code, msg)
    if ch in ("kuaishou", "wechat_channels", "youzan", "xiaohongshu"):
        _raise_more(ch, body)
        return
    err = body.get("error_response")
    if not isinstance(err, dict):
        return
    if ch in ("taobao", "tmall"):
        code, sub = str(err.get("code", "")), str(err.get("sub_code") or "")
        msg = str(err.get("sub_msg") or err.get("msg") or "")
        if "already" in sub or sub == "isv.logistics-offline-service-error:B04":
            raise PlatformError("refused", "already_shipped", msg)
        if code in _TOP_THROTTLED or "limited" in sub:
            raise PlatformError("throttled", sub or code, msg)
        if code in _TOP_TRANSIENT or sub.startswith("isp."):
            raise PlatformError("transient", sub or code, msg)
        if code in _TOP_AUTH:
            raise PlatformError("auth", sub or code, msg)
        raise PlatformError("refused", sub or code, msg)
    if ch == "jd":
        code = str(err.get("code", ""))
        msg = str(err.get("zh_desc") or err.get("en_desc") or "")
        if code == "already_shipped":
            raise PlatformError("refused", "already_shipped", msg)
        if code in ("19", "1000"):  # invalid/expired access_token, bad sign
            raise PlatformError("auth", code, msg)
        if code in ("63", "64", "85", "limit"):
            raise PlatformError("throttled", code, msg)
        if code in ("66", "67", "isp"):
            raise PlatformError("transient", code, msg)
        raise PlatformError("refused", code, msg)
    code = str(err.get("error_code", ""))  # pinduoduo
    sub = str(err.get("sub_code") or "")
    msg = str(err.get("error_msg") or err.get("sub_msg") or "")
    if sub == "already_shipped":
        raise PlatformError("refused", "already_shipped", msg)
    if code in ("70031", "70032", "70033", "70034"):
        raise PlatformError("throttled", code, msg)
    if code in ("10019", "10020", "10035"):
        raise PlatformError("auth", code, msg)
    if code.startswith("5") or code == "70000":
        raise PlatformError("transient", code, msg)
    raise PlatformError("refused", code, msg)


def _raise_more(ch: str, body: Mapping[str, Any]) -> None:
    if ch == "kuaishou":
        code = str(body.get("result", ""))
        if code == "1":
            return
        msg, auth, throttled = str(body.get("error_msg") or ""), _KS_AUTH, _KS_THROTTLED
    elif ch == "wechat_channels":
        code = str(body.get("errcode", "0"))
        if code == "0":
            return
        msg, auth, throttled = str(body.get("errmsg") or ""), _WX_AUTH, _WX_THROTTLED
    elif ch == "youzan":
        code = str(body.get("code", ""))
        if body.get("success") is True or code in ("200", "0"):
            return
        msg, auth, throttled = str(body.get("message") or ""), _YZ_AUTH, _YZ_THROTTLED
    else:
        code = str(body.get("code", ""))
        if body.get("success") is True or code == "0":
            return
        msg, auth, throttled = str(body.get("msg") or ""), _XHS_AUTH, _XHS_THROTTLED
    if "已发货" in msg or "already" in msg.lower():
        raise PlatformError("refused", "already_shipped", msg)
    if code in auth:
        raise PlatformError("auth", code, msg)
    if code in throttled:
        raise PlatformError("throttled", code, msg)
    if code in ("-1", "500", "502", "503") or code.startswith("isp"):
        raise PlatformError("transient", code, msg)
    raise PlatformError("refused", code, msg)
