"""Calls to the platforms' open APIs: the order list / increment call, shipment
confirmation and stock updates, each signed as its platform documents it.

    client = PlatformClient(httpx.Client(...))
    page = client.list_page(creds, start_s, end_s, page_no, now_s)   # -> Page
    client.confirm_shipment(creds, external_id, waybill, company, now_s)
    client.update_quantity(creds, item_id, sku_id, quantity, now_s)

One module per platform builds its requests and reads its answers (:mod:`.top` for
Taobao and Tmall, :mod:`.jd`, :mod:`.pinduoduo`, :mod:`.douyin`, :mod:`.kuaishou`,
:mod:`.wechat_channels`, :mod:`.youzan`, :mod:`.xiaohongshu`); this one sends them.

Per platform: list / increment call; shipment confirmation; sellable stock (a full quantity).

* taobao, tmall (TOP): ``taobao.trades.sold.increment.get`` (≤ 1 day a window);
  ``taobao.logistics.offline.send`` (``is_split`` + ``sub_tid``: split parcels);
  ``taobao.item.quantity.update`` (``type`` 1).
* jd: ``jingdong.pop.order.search``; ``jingdong.pop.order.shipment``;
  ``jingdong.stock.write.updateSkuStock``.
* pinduoduo: ``pdd.order.number.list.increment.get`` (≤ 30 min); ``pdd.logistics.online.send``;
  ``pdd.goods.quantity.update`` (``update_type`` 1).
* douyin: ``order.searchList``; ``order.logisticsAdd``; ``sku.syncStock`` (``incremental`` false).
* kuaishou: ``open.seller.order.pcursor.list`` (``pcursor`` paging, ms);
  ``open.seller.order.goods.deliver``; ``open.item.get`` then ``open.item.sku.stock.update``
  by the difference (Kuaishou takes changes only).
* wechat_channels: ``/channels/ec/order/list/get`` + ``/channels/ec/order/get`` per id;
  ``/channels/ec/order/delivery/send``; ``/channels/ec/product/stock/update`` (``diff_type`` 3).
* youzan: ``youzan.trades.sold.get`` 4.0.4; ``youzan.logistics.online.confirm`` 3.0.0 (``oids``);
  ``youzan.item.quantity.update`` 3.0.0 (``type`` 0).
* xiaohongshu: ``order.getOrderList`` + ``order.getOrderDetail`` per id (≤ 30 min);
  ``order.orderDeliver``; no stock.

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

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import httpx

from ordo.adapters.platforms.base import (
    Call,
    Credentials,
    Page,
    PlatformApi,
    PlatformError,
    cst,
    unsupported,
)
from ordo.adapters.platforms.douyin import DouyinApi
from ordo.adapters.platforms.jd import JdApi
from ordo.adapters.platforms.kuaishou import KuaishouApi
from ordo.adapters.platforms.pinduoduo import PinduoduoApi
from ordo.adapters.platforms.top import TopApi
from ordo.adapters.platforms.wechat_channels import WechatChannelsApi
from ordo.adapters.platforms.xiaohongshu import XiaohongshuApi
from ordo.adapters.platforms.youzan import YouzanApi

#: Each platform Ordo pulls from and writes back to, by channel name.
APIS: Mapping[str, PlatformApi] = MappingProxyType(
    {
        "taobao": TopApi(),
        "tmall": TopApi(),
        "jd": JdApi(),
        "pinduoduo": PinduoduoApi(),
        "douyin": DouyinApi(),
        "kuaishou": KuaishouApi(),
        "wechat_channels": WechatChannelsApi(),
        "youzan": YouzanApi(),
        "xiaohongshu": XiaohongshuApi(),
    }
)
PLATFORMS = tuple(APIS)
#: Widest modified-time window one list call may ask for (the platforms' documented limits).
MAX_WINDOW_S: Mapping[str, int] = MappingProxyType({ch: api.max_window_s for ch, api in APIS.items()})
#: Platforms whose confirmation takes several waybills for one order (split parcels).
SPLITS = frozenset(ch for ch, api in APIS.items() if api.splits)
#: Platforms whose listings Ordo sets the sellable quantity of (:meth:`PlatformClient.update_quantity`).
STOCK_PLATFORMS = frozenset(ch for ch, api in APIS.items() if api.stock)
_JSON = {"Content-Type": "application/json; charset=utf-8"}


class PlatformClient:
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def list_page(
        self, creds: Credentials, start_s: int, end_s: int, page: int, now_s: int, *, cursor: str = ""
    ) -> Page:
        """Page ``page`` (1-based) of the orders modified in [start_s, end_s]; ``cursor`` is the
        previous page's :attr:`Page.cursor` on the platforms that page by cursor."""
        api = self._api(creds, "pull")
        return api.list_page(self._caller(api, creds, now_s), creds.channel, start_s, end_s, page, cursor)

    def order_detail(self, creds: Credentials, order_id: str, now_s: int) -> str:
        """One order in full, as JSON text the channel's mapping reads (WeChat Channels'
        ``/channels/ec/order/get``, Xiaohongshu's ``order.getOrderDetail``)."""
        api = self._api(creds, "detail call")
        return api.order_detail(self._caller(api, creds, now_s), creds.channel, order_id)

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
        api = self._api(creds, "write-back")
        try:
            ok = api.confirm(self._caller(api, creds, now_s), creds.channel, external_id, waybills, sub_ids)
        except PlatformError as exc:
            if exc.code == "already_shipped":
                return
            raise
        if not ok:
            raise PlatformError("refused", "not_success", "the platform did not confirm / 平台未确认发货")

    def update_quantity(
        self, creds: Credentials, item_id: str, sku_id: str, quantity: int, now_s: int
    ) -> None:
        """Set the sellable quantity of one listing's SKU (``sku_id`` empty: the item's own)."""
        api = self._api(creds, "stock sync")
        api.update_quantity(self._caller(api, creds, now_s), creds.channel, item_id, sku_id, quantity)

    def call(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> dict[str, Any]:
        """One signed call of ``method`` for the shop at ``now_s``: the answer, checked."""
        return self._caller(self._api(creds, "call"), creds, now_s)(method, biz)

    #: The name :mod:`.parcels` knows this by.
    _call = call

    def _api(self, creds: Credentials, what: str) -> PlatformApi:
        api = APIS.get(creds.channel)
        if api is None:
            raise unsupported(what, creds.channel)
        return api

    def _caller(self, api: PlatformApi, creds: Credentials, now_s: int) -> Call:
        def call(method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
            req = api.request(creds, method, biz, now_s)
            try:
                if req.json is not None:
                    resp = self._http.post(req.url, params=req.query, content=req.json, headers=_JSON)
                else:
                    resp = self._http.post(req.url, data=req.form)
            except httpx.HTTPError as exc:
                raise PlatformError("transient", "connection", f"{type(exc).__name__}: {exc}") from None
            body = _answer(resp)
            api.check(body)
            return body

        return call


def _answer(resp: httpx.Response) -> dict[str, Any]:
    if resp.status_code >= 500 or resp.status_code == 429:
        kind = "throttled" if resp.status_code == 429 else "transient"
        raise PlatformError(kind, f"http_{resp.status_code}", resp.text[:200])
    try:
        body = resp.json()
    except ValueError:
        raise PlatformError("transient", "not_json", resp.text[:200]) from None
    if not isinstance(body, dict):
        raise PlatformError("transient", "not_json", resp.text[:200])
    return body


__all__ = [
    "APIS",
    "MAX_WINDOW_S",
    "PLATFORMS",
    "SPLITS",
    "STOCK_PLATFORMS",
    "Credentials",
    "Page",
    "PlatformClient",
    "PlatformError",
    "cst",
]
