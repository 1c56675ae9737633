"""The wrappers around one order: a platform API's response envelope, a list answer's element,
and the envelopes ISV middlemen forward it in.

A platform's order reaches Ordo in one of three shapes, told apart by structure alone:

* the **detail answer** of the official order-detail API, e.g. JD's
  ``{"jingdong_pop_order_get_responce": {"code": "0", "orderDetailInfo": {"apiResult": …,
  "orderInfo": {…}}}}`` or Douyin's ``{"code": 10000, "data": {"shop_order_detail": {…}}}``;
* the **list / increment answer** holding exactly one order (``trades.trade[0]``,
  ``orderInfoList[0]``): one payload is one order, so a page of several is refused with
  its count, never half taken in;
* the **bare inner order**, as a push or a fixture holds it.

Before that, :func:`open_middleman` takes off what a middleman put around the platform's own
answer: Taobao 聚石塔 RDS rows (``jdp_response``: the TOP answer as JSON *inside a string*),
TOP TMC messages (``topic`` + ``content``), and the forwarding envelope of ERP / ISV
middlemen (聚水潭, 旺店通, 万里牛, 吉客云-style: shop metadata beside the raw platform
payload under a key such as ``raw_data`` / ``origin_data``, as an object or a JSON string).
JSON inside strings is decoded with exact decimals, so a yuan float in it stays exact.

A platform error answer (``error_response``, ``apiResult.success = false``, a Douyin
``code`` other than 10000, a Kuaishou ``result`` other than 1, a WeChat ``errcode``) is
refused with the platform's own message. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from ordo.adapters.channels.values import Reason, Unmappable, embedded_json

#: A path to the order inside an answer; ``"*"`` is "the one element of this list".
Path = tuple[str, ...]
ONE = "*"

#: Keys under which a middleman forwards the platform's raw payload (object or JSON text).
_RAW_KEYS = (
    "jdp_response",  # 聚石塔 RDS push tables (jdp_tb_trade, jdp_fxg_trade …)
    "raw_data", "rawData", "origin_data", "originData", "original_data", "platform_data",
    "platformData", "raw_json", "rawJson", "response_body",
)  # fmt: skip
_RAW_SET = frozenset(_RAW_KEYS)
#: Codes meaning success, per envelope field.
_OK_CODES: Mapping[str, frozenset[int]] = MappingProxyType(
    {"code": frozenset({0, 10000, 200}), "result": frozenset({1}), "errcode": frozenset({0})}
)
_OK_ITEMS = tuple(_OK_CODES.items())
#: The fields :func:`_refuse_error` reads: a level holding none of them is no error answer.
_ERROR_FIELDS = frozenset({"error_response", "apiResult", *_OK_CODES})
_CODE_KEYS = ("sub_code", "code", "numberCode", "errcode", "result")
#: Keys whose presence at the top may mean an envelope; a payload with none of them (and none
#: of the adapter's envelope keys) is a bare order, told in one set operation.
_SIGNALS = frozenset({*_RAW_KEYS, "topic", "data", "error_response", "apiResult", *_OK_CODES})


def open_middleman(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """The platform's own payload inside a middleman's envelope; ``payload`` itself if none."""
    for _ in range(3):  # an ERP envelope around a 聚石塔 row around a TOP answer, at most
        inner = _middleman_inner(payload)
        if inner is None:
            return payload
        payload = inner
    return payload


def _middleman_inner(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if not payload.keys().isdisjoint(_RAW_SET):
        for key in _RAW_KEYS:
            if key in payload:
                value = embedded_json(payload[key])
                if isinstance(value, dict):
                    return value
    if "topic" in payload and "content" in payload:  # TOP TMC message
        value = embedded_json(payload["content"])
        if isinstance(value, dict):
            return value
    data = payload.get("data")
    if type(data) is str and data[:1] == "{":  # a message push whose body is JSON text
        value = embedded_json(data)
        if isinstance(value, dict):
            return value
    return None


def open_envelope(payload: Mapping[str, Any], paths: Sequence[Path]) -> Mapping[str, Any]:
    """The one order inside ``payload``: through a middleman's envelope, then the first of
    ``paths`` the answer holds; the payload itself when it is a bare order.

    Raises :class:`Unmappable` for a platform error answer, an envelope without its order,
    or a list answer holding other than one order."""
    if _SIGNALS.isdisjoint(payload):  # the bare order a push sends: the common case, made cheap
        for path in paths:
            if path[0] in payload:
                break
        else:
            return payload
    payload = open_middleman(payload)
    if not payload.keys().isdisjoint(_ERROR_FIELDS):
        _refuse_error(payload, "")
    started: Path | None = None
    for path in paths:
        if path[0] not in payload:
            continue
        found = _follow(payload, path)
        if found is not None:
            return found
        started = started or path
    if started is None:
        return payload
    where = ".".join(k for k in started if k != ONE)
    raise Unmappable(
        [Reason("missing_field", where, f"{where}: the answer holds no order / 平台应答中没有订单")]
    )


def _at(path: Path, i: int) -> str:
    """Where level ``i`` of ``path`` is, as a problem names it: the keys above it."""
    return ".".join(k for k in path[:i] if k != ONE)


def _follow(node: Any, path: Path) -> Mapping[str, Any] | None:
    for i, key in enumerate(path):
        # An envelope level on the way (the order itself is not); most levels hold no error field.
        if i and isinstance(node, dict) and not node.keys().isdisjoint(_ERROR_FIELDS):
            _refuse_error(node, _at(path, i))
        if key == ONE:
            if not isinstance(node, list):
                return None
            if len(node) != 1:
                where = _at(path, i)
                raise Unmappable(
                    [
                        Reason(
                            "list_answer",
                            where,
                            f"{where}: the answer lists {len(node)} orders; send each on its own "
                            f"/ 应答包含 {len(node)} 个订单，请逐个发送",
                        )
                    ]
                )
            node = embedded_json(node[0])
        else:
            if not isinstance(node, dict) or key not in node:
                return None
            node = embedded_json(node[key])
    return node if isinstance(node, dict) else None


def _refuse_error(node: Mapping[str, Any], where: str) -> None:
    error = node.get("error_response")
    if isinstance(error, dict):
        _raise(where or "error_response", error)
    api = node.get("apiResult")
    if isinstance(api, dict) and api.get("success") in (False, "false"):
        _raise(f"{where}.apiResult" if where else "apiResult", api)
    for field, ok in _OK_ITEMS:
        code = node.get(field)
        if code is None:
            continue
        if type(code) is int:  # the usual JSON number: int(str(code)) is itself
            value = code
        elif isinstance(code, bool | dict | list):
            continue
        else:
            try:
                value = int(str(code))
            except ValueError:
                continue
        if value not in ok:
            _raise(f"{where}.{field}" if where else field, node)


def _raise(where: str, error: Mapping[str, Any]) -> None:
    said = next(
        (
            str(error[k])
            for k in ("sub_msg", "zh_desc", "chineseErrCode", "error_msg", "msg", "errmsg", "message")
            if error.get(k)
        ),
        "",
    )
    code = next((str(error[k]) for k in _CODE_KEYS if k in error), "")
    raise Unmappable(
        [
            Reason(
                "platform_error",
                where,
                f"{where}: the platform answered with an error {code} {said} / 平台返回错误",
            )
        ]
    )


def orders_in(payload: Mapping[str, Any], paths: Sequence[Path]) -> list[Mapping[str, Any]]:
    """Each order a payload carries: every element of a list / increment answer (for a puller
    to take in one by one), else the payload itself as the one element. Platform error
    answers are refused as in :func:`open_envelope`."""
    payload = open_middleman(payload)
    _refuse_error(payload, "")
    for path in paths:
        if ONE not in path or path[0] not in payload:
            continue
        node: Any = payload
        for i, key in enumerate(path[: path.index(ONE)]):
            if i and isinstance(node, dict):
                _refuse_error(node, key)
            node = embedded_json(node.get(key)) if isinstance(node, dict) else None
        if isinstance(node, list):
            items = [embedded_json(item) for item in node]
            if all(isinstance(item, dict) for item in items):
                return items
    return [payload]
