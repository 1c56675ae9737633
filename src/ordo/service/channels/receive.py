"""Omnichannel intake: the one way in for everything a channel sends.

    receive(app, channel, body)   one webhook body (already authenticated)
    replay(app, ids)              dead letters again, after the mapping was fixed
    map_payload(app, channel, p)  what a payload would become, writing nothing

A payload becomes an order through the channel's adapter and the shared mapping
step, then goes through the ordinary intake (idempotent on channel + external id) and
lifecycle (milestones are recorded once and never move an order backwards) in
:mod:`ordo.service.channels.intake`, many bodies per transaction, so a platform pushing the same
order three times, or its statuses out of order, ends with one correct order.

Nothing an authenticated channel sends is dropped: a payload that cannot be mapped
(or that intake refuses) is kept as a dead letter with its reasons; a status update
for an order Ordo has not seen yet is parked and applied when the order arrives.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import logging
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ordo.adapters import signing
from ordo.adapters.channels import (
    REGISTRY,
    ChannelAdapter,
    ChannelRegistry,
    Mapped,
    Reason,
    SkuLookup,
    Unmappable,
    to_canonical,
)
from ordo.adapters.geo import Divisions
from ordo.adapters.geo.address import AddressResolver
from ordo.domain.errors import NotFound, Unauthenticated, UnknownSku, ValidationError
from ordo.service.runtime.app import Ordo

NS = 1_000_000_000
_log = logging.getLogger(__name__)
#: Signed against when a channel is unknown or has no secret: the same work as a real check.
_NO_SECRET = "no secret configured: never matches"
SECRET_ENV_PREFIX = "ORDO_CHANNEL_SECRET_"
#: The deepest JSON a platform's payload may nest (real ones nest four or five levels).
MAX_JSON_DEPTH = 32
#: What a pure adapter raises on a payload of the wrong shape (a number where text belongs …).
PAYLOAD_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)
_UNREADABLE = "the payload cannot be read / 无法解析该渠道数据"
#: Keys platforms name their order id with, to label a dead letter that could not be parsed
#: (the exact text twins first: ``tid_str`` beside Taobao's numeric ``tid``).
_ID_KEYS = (
    "tid_str",
    "tid",
    "orderId",
    "order_id",
    "order_sn",
    "orderSn",
    "oid",
    "po_number",
    "ticket_no",
)
#: How far :func:`guess_id` looks: envelope depth, mappings visited, JSON text opened.
_GUESS_DEPTH, _GUESS_NODES, _GUESS_TEXT = 8, 2_000, 1_000_000
#: Envelope keys that hold request bookkeeping, never an order's id.
_NOT_ORDERS = frozenset({"request_id", "requestId", "log_id", "trace_id"})


class ChannelOutcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # the order was known; its steps (if any new) were applied
    PENDING = "pending"  # an update for an order not seen yet: parked until it arrives
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True, slots=True)
class Receipt:
    channel: str
    outcome: ChannelOutcome
    external_id: str | None = None
    order_id: str | None = None
    status: str | None = None
    hold_reason: str | None = None
    dead_letter_id: int | None = None
    reasons: tuple[dict[str, str], ...] = ()
    #: Milestones this payload recorded (new ones only).
    recorded: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "outcome": self.outcome.value,
            "external_id": self.external_id,
            "order_id": self.order_id,
            "status": self.status,
            "hold_reason": self.hold_reason,
            "dead_letter_id": self.dead_letter_id,
            "reasons": list(self.reasons),
            "recorded": list(self.recorded),
        }


def channels(reg: ChannelRegistry = REGISTRY) -> list[dict[str, Any]]:
    """Every channel Ordo takes pushes from, its label in both languages, the other names it
    answers to, and the milestones each of its statuses means."""
    aliases = channel_aliases(reg)
    return [
        {
            "channel": name,
            "label": reg.label(name),
            "aliases": aliases[name],
            "statuses": {k: [m.value for m in v] for k, v in a.statuses.items()},
        }
        for name, a in reg.adapters.items()
    ]


def channel_name(name: str, reg: ChannelRegistry = REGISTRY) -> str:
    """The canonical channel a name users type stands for (``淘宝`` → ``taobao``, ``视频号`` →
    ``wechat_channels``, ``PDD`` → ``pinduoduo``); an unknown name is returned as given.
    ``reg``: the channels known (``app.channels``, with any extra mapping files)."""
    return reg.name(name)


def channel_aliases(reg: ChannelRegistry = REGISTRY) -> dict[str, list[str]]:
    """Each channel with the other names it is known by (``ordo channels list``, the API)."""
    out: dict[str, list[str]] = {name: [] for name in reg.adapters}
    for alias, name in sorted(reg.aliases.items()):
        if alias != name:
            out[name].append(alias)
    return out


def adapter_for(channel: str, reg: ChannelRegistry = REGISTRY) -> ChannelAdapter:
    adapter = reg.get(channel)
    if adapter is None:
        raise NotFound(
            f"no channel {channel!r} / 未知渠道「{channel}」", details={"channels": sorted(reg.adapters)}
        )
    return adapter


# -- secrets and authentication -------------------------------------------------
#: The webhook's signature headers (the API reads and documents them by these names).
TIMESTAMP_HEADER = signing.TIMESTAMP_HEADER
SIGNATURE_HEADER = signing.SIGNATURE_HEADER


def secret_for(app: Ordo, channel: str, env: Mapping[str, str] | None = None) -> str | None:
    """``$ORDO_CHANNEL_SECRET_<CHANNEL>`` if set, else the one stored with :func:`set_secret`."""
    channel = channel_name(channel, app.channels)
    value = (os.environ if env is None else env).get(SECRET_ENV_PREFIX + channel.upper())
    if value:
        return value
    return app.channel_cache.secret(app.store, channel)


def set_secret(app: Ordo, channel: str, secret: str) -> None:
    channel = channel_name(channel, app.channels)
    adapter_for(channel, app.channels)
    if len(secret) < 16:
        raise ValidationError("secret", "use at least 16 characters / 密钥至少 16 个字符")
    with app.store.uow() as uow:
        uow.channels.set_secret(channel, secret, app.clock.now_ns())
        uow.commit()
    app.channel_cache.invalidate()


def authenticate(
    app: Ordo,
    channel: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Raise Unauthenticated unless the body is signed with the channel's secret, recently.

    The caller is told what was wrong with the headers it sent (missing, malformed, stale);
    beyond that, an unknown channel, a channel with no secret and a wrong signature get the
    one answer :data:`signing.MISMATCH` (the reason is logged for the operator), and each
    costs one HMAC, so neither the answer nor its time says which channels exist.
    """
    # Wall time, not the business clock: the platform signs with its real clock, and a demo's
    # clock runs 60× fast, so the replay window must not move with it.
    now_s = app.wall.now_ns() // NS
    reason = signing.check_headers(timestamp, signature, now_s)
    if reason:
        raise Unauthenticated(reason)
    channel = channel_name(channel, app.channels)
    known = channel in app.channels.adapters
    secret = secret_for(app, channel, env) if known else None
    if not signing.check(secret or _NO_SECRET, timestamp, signature, body, now_s) and secret:
        return
    if not known:
        _log.warning("webhook for unknown channel %r refused", channel[:64])
    elif not secret:
        _log.warning(
            "webhook for %s refused: no secret configured (%s%s or `ordo channels secret`)",
            channel,
            SECRET_ENV_PREFIX,
            channel.upper(),
        )
    raise Unauthenticated(signing.MISMATCH)


# -- mapping ---------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def resolver_for(divisions: Divisions) -> AddressResolver:
    return AddressResolver(divisions)


def sku_lookup(app: Ordo, channel: str, candidates: Sequence[str]) -> SkuLookup:
    """Platform SKU → Ordo SKU: the channel's mapping table first, else the id itself when it
    already is an Ordo SKU (merchants often set the platform's merchant code to their own)."""
    found = app.channel_cache.sku_refs(app.store, channel, candidates)
    return found.get


def map_payload(app: Ordo, channel: str, payload: Mapping[str, Any]) -> Mapped:
    """The canonical order and steps a payload maps to; raises Unmappable. Writes nothing."""
    channel = channel_name(channel, app.channels)
    adapter = adapter_for(channel, app.channels)
    try:
        co = adapter.parse(payload)
    except Unmappable:
        raise
    except PAYLOAD_ERRORS as exc:  # the adapter is pure: whatever breaks it is the payload
        raise Unmappable(
            [Reason("malformed_payload", "body", f"{_UNREADABLE} ({type(exc).__name__})")]
        ) from None
    candidates = [s for line in co.lines for s in line.skus]
    resolver = resolver_for(app.divisions)
    try:
        return to_canonical(co, sku_lookup(app, channel, candidates), resolver)
    except Unmappable as exc:
        if not any(r.code == "unmapped_sku" for r in exc.reasons):
            raise
    # "Unmapped" is never taken from the cache: it would dead-letter an order on a stale
    # answer. Read those SKUs again; if they still do not map, the store says so.
    app.channel_cache.forget(channel, candidates)
    return to_canonical(co, sku_lookup(app, channel, candidates), resolver)


def set_sku_mapping(app: Ordo, channel: str, platform_sku: str, ordo_sku: str) -> None:
    channel = channel_name(channel, app.channels)
    adapter_for(channel, app.channels)
    if not platform_sku.strip() or len(platform_sku) > 64:
        raise ValidationError("platform_sku", "1..64 characters / 长度须为 1 到 64 个字符")
    with app.store.uow() as uow:
        if not uow.catalog.known_skus([ordo_sku]):
            raise UnknownSku("ordo_sku", f"unknown SKU {ordo_sku!r} / 未知商品编码「{ordo_sku}」")
        uow.channels.set_sku(channel, platform_sku.strip(), ordo_sku, app.clock.now_ns())
        uow.commit()
    app.channel_cache.invalidate()


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (iteratively: no recursion to exhaust)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return deepest


#: How a body that is not UTF-8 text is kept: this prefix, then its bytes in base64. No JSON
#: object starts so, so the kept text can never be taken for a payload.
RAW_BYTES = "base64:"


def body_text(body: bytes) -> str:
    """A platform's body as stored text: itself when UTF-8, else byte for byte in base64."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return RAW_BYTES + base64.b64encode(body).decode("ascii")


def raw_body(text: str) -> bytes:
    """The bytes a platform sent, from the text :func:`body_text` kept."""
    if text.startswith(RAW_BYTES):
        return base64.b64decode(text[len(RAW_BYTES) :])
    return text.encode("utf-8")


def parse_body(text: str) -> Mapping[str, Any]:
    """JSON with exact decimals (``parse_float=Decimal``); raises Unmappable if it is not an
    object, nests deeper than :data:`MAX_JSON_DEPTH` or holds ``NaN``/``Infinity``."""
    if text.startswith(RAW_BYTES):
        raise Unmappable(
            [
                Reason(
                    "malformed_payload",
                    "body",
                    "body is not UTF-8 text; kept byte for byte (base64) /"
                    " 请求体不是 UTF-8 文本，已按原始字节（base64）保存",
                )
            ]
        )
    try:
        payload = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's own limit
        raise Unmappable(
            [Reason("malformed_payload", "body", "body is not JSON / 请求体不是合法的 JSON")]
        ) from None
    if not isinstance(payload, dict):
        raise Unmappable(
            [Reason("malformed_payload", "body", "body is not a JSON object / 请求体不是 JSON 对象")]
        )
    if json_depth(payload) > MAX_JSON_DEPTH:
        raise Unmappable(
            [
                Reason(
                    "malformed_payload",
                    "body",
                    f"body nests deeper than {MAX_JSON_DEPTH} levels / 请求体嵌套超过 {MAX_JSON_DEPTH} 层",
                )
            ]
        )
    return payload


# -- the way in --------------------------------------------------------------------
# The pipeline lives in ordo.service.channels.intake, which builds on this module; it is
# imported where used so that this module stays importable on its own.
def receive(app: Ordo, channel: str, body: bytes) -> Receipt:
    """Take one authenticated body: create or update the order, park it, or dead-letter it."""
    from ordo.service.channels.intake import Push, receive_batch

    adapter_for(channel, app.channels)
    [answer] = receive_batch(app, [Push(channel, body_text(body))])
    if isinstance(answer, BaseException):
        raise answer
    return answer


def replay(app: Ordo, ids: Sequence[int] | None = None) -> list[Receipt]:
    """Process open dead letters again (all of them, or those ``ids``)."""
    from ordo.service.channels.intake import Push, receive_batch

    with app.store.uow(read_only=True) as uow:
        rows = uow.channels.dead_letters(ids=ids)
    answers = receive_batch(app, [Push(r["channel"], r["body"], int(r["id"])) for r in rows])
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return [a for a in answers if isinstance(a, Receipt)]


def dead_letters(
    app: Ordo, *, state: str | None = "open", limit: int = 100, channels: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Dead letters in id order; ``channels``: only theirs (a caller bound to channels)."""
    with app.store.uow(read_only=True) as uow:
        return uow.channels.dead_letters(state=state, limit=limit, channels=channels)


def guess_id(payload: Mapping[str, Any]) -> str | None:
    """The platform's order id, read loosely, to label a dead letter that could not be parsed.

    Breadth first through the envelope: the shallowest mapping naming an id wins, so an
    order's id comes before its lines' (which sit deeper, in lists), and one wrapped in a
    detail answer (``jingdong_pop_order_get_responce.orderDetailInfo.orderInfo.orderId``,
    ``data.full_order_info.order_info.tid``, ``data.orderList[0].orderBaseInfo.oid``) or in a
    middleman's JSON text (``raw_data`` / ``jdp_response`` as a string) is found too. Bounded
    in depth, mappings visited and text opened: a hostile body costs little."""
    level: list[Any] = [payload]
    seen = 0
    for _ in range(_GUESS_DEPTH):
        nxt: list[Any] = []
        for node in level:
            seen += 1
            if seen > _GUESS_NODES:
                return None
            if isinstance(node, list):
                nxt.extend(node[:50])
                continue
            if isinstance(node, str):
                text = node.strip()
                if text[:1] in ("{", "[") and len(text) <= _GUESS_TEXT:
                    with contextlib.suppress(ValueError, RecursionError):
                        nxt.append(json.loads(text))
                continue
            if not isinstance(node, Mapping):
                continue
            for key in _ID_KEYS:
                value = node.get(key)
                if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                    return str(value).strip()[:64]
            nxt.extend(
                v for k, v in node.items() if k not in _NOT_ORDERS and isinstance(v, Mapping | list | str)
            )
        if not nxt:
            return None
        level = nxt
    return None
