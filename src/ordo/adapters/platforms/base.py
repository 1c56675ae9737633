"""What every platform's API module shares: the shop's credentials, a page of a list
call, the one error type, the request a module builds, and :class:`PlatformApi`, the
base each platform module (``top``, ``jd``, ``pinduoduo``, ``douyin``, ``kuaishou``,
``wechat_channels``, ``youzan``, ``xiaohongshu``) fills in.

A platform module builds and signs requests and reads answers; it never does I/O itself.
It talks to its platform through a :data:`Call`, which :class:`~.client.PlatformClient`
binds to one shop, one moment and one HTTP client.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

#: Orders asked for per list call.
PAGE_SIZE = 100
_CST = dt.timezone(dt.timedelta(hours=8))


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


class Request(NamedTuple):
    """One HTTP POST: a form body (``form``) or a JSON body (``json`` text, with ``query``)."""

    url: str
    form: Mapping[str, str] | None = None
    json: str | None = None
    query: Mapping[str, str] | None = None


#: One signed call for one shop at one moment: (method, business parameters) → the answer,
#: already checked (an error answer raises :class:`PlatformError`).
Call = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def cst(seconds: int) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in Asia/Shanghai, as TOP, JD and Youzan take times."""
    return dt.datetime.fromtimestamp(seconds, _CST).strftime("%Y-%m-%d %H:%M:%S")


def text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def inner(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    found = body.get(key)
    if not isinstance(found, dict):
        raise PlatformError("transient", "no_envelope", f"no {key} in the answer / 应答缺少 {key}")
    return found


def number(value: str) -> int | str:
    """A platform id as a JSON number where it is all digits (the APIs type them int64)."""
    return int(value) if value.isdigit() else value


def unsupported(what: str, channel: str) -> PlatformError:
    return PlatformError(
        "refused", "unsupported", f"no {what} for channel {channel!r} / 渠道「{channel}」不支持"
    )


def classify(code: str, msg: str, auth: frozenset[str], throttled: frozenset[str]) -> PlatformError:
    """The error of an answer in the ``{code, message}`` style (Kuaishou, WeChat Channels,
    Youzan, Xiaohongshu): already shipped, auth, throttled, transient or refused."""
    if "已发货" in msg or "already" in msg.lower():
        return PlatformError("refused", "already_shipped", msg)
    if code in auth:
        return PlatformError("auth", code, msg)
    if code in throttled:
        return PlatformError("throttled", code, msg)
    if code in ("-1", "500", "502", "503") or code.startswith("isp"):
        return PlatformError("transient", code, msg)
    return PlatformError("refused", code, msg)


class PlatformApi:
    """One platform's open API. Subclasses set the class attributes and override what the
    platform offers; what it does not offer is refused as ``unsupported``."""

    #: Widest modified-time window one list call may ask for (the platform's documented limit).
    max_window_s: int = 86_400
    #: Whether one order's confirmation may take several waybills (split parcels).
    splits: bool = False
    #: Whether Ordo sets the sellable quantity of its listings (:meth:`update_quantity`).
    stock: bool = False

    def request(self, creds: Credentials, method: str, biz: Mapping[str, Any], now_s: int) -> Request:
        raise NotImplementedError

    def check(self, body: Mapping[str, Any]) -> None:
        """Raise the :class:`PlatformError` an error answer means; return on a success."""
        raise NotImplementedError

    def list_page(self, call: Call, channel: str, start_s: int, end_s: int, page: int, cursor: str) -> Page:
        raise unsupported("pull", channel)

    def order_detail(self, call: Call, channel: str, order_id: str) -> str:
        raise unsupported("detail call", channel)

    def confirm(
        self,
        call: Call,
        channel: str,
        external_id: str,
        waybills: Sequence[tuple[str, str]],
        sub_ids: Sequence[str],
    ) -> bool:
        """Confirm the shipment; whether the platform said it succeeded."""
        raise unsupported("write-back", channel)

    def update_quantity(self, call: Call, channel: str, item_id: str, sku_id: str, quantity: int) -> None:
        """Set the listing's sellable quantity to ``quantity`` (a full quantity, not a change)."""
        raise unsupported("stock sync", channel)
