"""The emulated platforms' stock calls (see each platform's module in
:mod:`ordo.adapters.platforms`): a listing's sellable quantity is kept per shop by
(item id, SKU id) — ``Emulator.quantity`` reads it, ``Emulator.set_quantity`` sets what the
platform holds before Ordo says anything (a seller's own edit, a sale).

* TOP ``taobao.item.quantity.update``: ``num_iid``, ``sku_id``, ``quantity``, ``type`` 1
  full / 2 change;
* JD ``jingdong.stock.write.updateSkuStock``: ``skuId``, ``stockNum`` (a SKU by its id
  alone: kept under item id ``""``);
* Pinduoduo ``pdd.goods.quantity.update``: ``goods_id``, ``sku_id`` (or ``outer_id``),
  ``quantity``, ``update_type`` 1 full / 2 change;
* Douyin ``sku.syncStock``: ``product_id``, ``sku_id``, ``stock_num``, ``incremental``;
* Kuaishou ``open.item.get`` (the item's ``skuInfos`` with ``skuStock``) and
  ``open.item.sku.stock.update``: ``kwaiItemId``, ``skuId``, ``skuChangeStock`` > 0,
  ``changeType`` 1 add / 2 subtract — changes only, of a SKU the item has, never below 0;
* Youzan ``youzan.item.quantity.update``: ``item_id``, ``sku_id``, ``quantity``, ``type``
  0 full / 1 change;
* WeChat Channels ``/channels/ec/product/stock/update``: ``product_id``, ``sku_id`` (both
  required), ``diff_type`` 1 add / 2 subtract / 3 set, ``num``.

A call missing what its platform requires is refused as a bad parameter, in the platform's
own error shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ordo.sim.platforms.errors import error

if TYPE_CHECKING:
    from ordo.sim.platforms.emulator import _ShopState

_STOCK = frozenset(
    {
        "taobao.item.quantity.update",
        "jingdong.stock.write.updateSkuStock",
        "pdd.goods.quantity.update",
        "sku.syncStock",
        "open.item.get",
        "open.item.sku.stock.update",
        "youzan.item.quantity.update",
        "/channels/ec/product/stock/update",
    }
)


def answer(platform: str, method: str, st: _ShopState, biz: Mapping[str, Any]) -> dict[str, Any] | None:
    """The answer to a stock call, or None when the call is not one."""
    if method not in _STOCK:
        return None
    try:
        found = _set(method, st, biz)
    except (KeyError, ValueError, TypeError):
        found = None
    if found is None:
        return error(platform, "missing")
    return found


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _put(st: _ShopState, key: tuple[str, str], quantity: int, change: bool) -> int | None:
    """Set (or change by) ``quantity``; the new quantity, None when it would fall below 0."""
    new = st.quantities.get(key, 0) + quantity if change else quantity
    if new < 0:
        return None
    st.quantities[key] = new
    return new


def _set(method: str, st: _ShopState, biz: Mapping[str, Any]) -> dict[str, Any] | None:
    if method == "taobao.item.quantity.update":
        key = (_text(biz["num_iid"]), _text(biz.get("sku_id")))
        kind = _text(biz.get("type") or "1")
        if not key[0] or kind not in ("1", "2"):
            return None
        num = _put(st, key, int(biz["quantity"]), kind == "2")
        if num is None:
            return None
        return {"item_quantity_update_response": {"item": {"num_iid": key[0], "num": num}}}
    if method == "jingdong.stock.write.updateSkuStock":
        key = ("", _text(biz["skuId"]))
        if not key[1] or _put(st, key, int(biz["stockNum"]), False) is None:
            return None
        return {"jingdong_stock_write_updateSkuStock_responce": {"code": "0", "success": True}}
    if method == "pdd.goods.quantity.update":
        key = (_text(biz["goods_id"]), _text(biz.get("sku_id") or biz.get("outer_id")))
        kind = _text(biz.get("update_type") or "1")
        if not all(key) or kind not in ("1", "2"):
            return None
        if _put(st, key, int(biz["quantity"]), kind == "2") is None:
            return None
        return {"goods_quantity_update_response": {"is_success": True}}
    if method == "sku.syncStock":
        key = (_text(biz["product_id"]), _text(biz.get("sku_id")))
        if not key[0] or _put(st, key, int(biz["stock_num"]), biz.get("incremental") is True) is None:
            return None
        return {"code": 10000, "msg": "success", "data": {}}
    if method == "youzan.item.quantity.update":
        key = (_text(biz["item_id"]), _text(biz.get("sku_id")))
        kind = _text(biz.get("type", 0))
        if not key[0] or kind not in ("0", "1"):
            return None
        if _put(st, key, int(biz["quantity"]), kind == "1") is None:
            return None
        return {"success": True, "code": 200, "message": "successful", "data": {"is_success": True}}
    if method == "/channels/ec/product/stock/update":
        key = (_text(biz["product_id"]), _text(biz["sku_id"]))
        kind, num = _text(biz["diff_type"]), int(biz["num"])
        if not all(key) or kind not in ("1", "2", "3"):
            return None
        if _put(st, key, -num if kind == "2" else num, kind != "3") is None:
            return None
        return {"errcode": 0, "errmsg": "ok"}
    return _kuaishou(method, st, biz)


def _kuaishou(method: str, st: _ShopState, biz: Mapping[str, Any]) -> dict[str, Any] | None:
    item = _text(biz["kwaiItemId"])
    skus = {sku: n for (i, sku), n in st.quantities.items() if i == item and sku}
    if method == "open.item.get":
        if not skus:
            return {"result": 10, "error_msg": "商品不存在 / no such item", "code": "10"}
        infos = [{"kwaiSkuId": int(sku), "skuStock": n} for sku, n in sorted(skus.items())]
        return {"result": 1, "error_msg": "", "data": {"kwaiItemId": int(item), "skuInfos": infos}}
    sku, change, kind = _text(biz["skuId"]), int(biz["skuChangeStock"]), _text(biz["changeType"])
    if sku not in skus or change <= 0 or kind not in ("1", "2"):
        return None
    if _put(st, (item, sku), change if kind == "1" else -change, True) is None:
        return None
    return {"result": 1, "error_msg": "", "data": {}}
