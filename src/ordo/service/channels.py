"""Omnichannel intake: the one way in for everything a channel sends.

    receive(app, channel, body)   one webhook body (already authenticated)
    replay(app, ids)              dead letters again, after the mapping was fixed
    map_payload(app, channel, p)  what a payload would become, writing nothing

A payload becomes an order through the channel's adapter and the shared mapping
step, then goes through the ordinary :func:`ordo.service.intake.intake` (idempotent
on channel + external id) and :func:`ordo.service.lifecycle.advance` (milestones are
recorded once and never move an order backwards), so a platform pushing the same
order three times, or its statuses out of order, ends with one correct order.

Nothing an authenticated channel sends is dropped: a payload that cannot be mapped
(or that intake refuses) is kept as a dead letter with its reasons; a status update
for an order Ordo has not seen yet is parked and applied when the order arrives.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ordo.adapters.channels import (
    ADAPTERS,
    ChannelAdapter,
    Mapped,
    Reason,
    SkuLookup,
    Unmappable,
    signing,
    to_canonical,
)
from ordo.adapters.geo import Divisions
from ordo.adapters.geo.address import AddressResolver
from ordo.domain.errors import NotFound, Unauthenticated, UnknownSku, ValidationError
from ordo.domain.lifecycle import Milestone, MilestoneUpdate, Outcome
from ordo.service.app import Ordo
from ordo.service.intake import IntakeOutcome, intake
from ordo.service.lifecycle import advance

NS = 1_000_000_000
SECRET_ENV_PREFIX = "ORDO_CHANNEL_SECRET_"
#: Keys platforms name their order id with, to label a dead letter that could not be parsed.
_ID_KEYS = ("tid", "orderId", "order_id", "order_sn", "oid", "po_number", "ticket_no")


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


def adapter_for(channel: str) -> ChannelAdapter:
    adapter = ADAPTERS.get(channel)
    if adapter is None:
        raise NotFound(
            f"no channel {channel!r} / 未知渠道「{channel}」", details={"channels": sorted(ADAPTERS)}
        )
    return adapter


# -- secrets and authentication -------------------------------------------------
def secret_for(app: Ordo, channel: str, env: Mapping[str, str] | None = None) -> str | None:
    """``$ORDO_CHANNEL_SECRET_<CHANNEL>`` if set, else the one stored with :func:`set_secret`."""
    value = (os.environ if env is None else env).get(SECRET_ENV_PREFIX + channel.upper())
    if value:
        return value
    with app.store.uow(read_only=True) as uow:
        return uow.channels.secret(channel)


def set_secret(app: Ordo, channel: str, secret: str) -> None:
    adapter_for(channel)
    if len(secret) < 16:
        raise ValidationError("secret", "use at least 16 characters / 密钥至少 16 个字符")
    with app.store.uow() as uow:
        uow.channels.set_secret(channel, secret, app.clock.now_ns())
        uow.commit()


def authenticate(
    app: Ordo,
    channel: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Raise Unauthenticated unless the body is signed with the channel's secret, recently."""
    adapter_for(channel)
    secret = secret_for(app, channel, env)
    if not secret:
        raise Unauthenticated(
            f"no webhook secret configured for {channel} ({SECRET_ENV_PREFIX}{channel.upper()}) "
            f"/ 渠道「{channel}」未配置签名密钥",
            details={"channel": channel},
        )
    reason = signing.check(secret, timestamp, signature, body, app.clock.now_ns() // NS)
    if reason:
        raise Unauthenticated(reason, details={"channel": channel})


# -- mapping ---------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def resolver_for(divisions: Divisions) -> AddressResolver:
    return AddressResolver(divisions)


def sku_lookup(app: Ordo, channel: str, candidates: Sequence[str]) -> SkuLookup:
    """Platform SKU → Ordo SKU: the channel's mapping table first, else the id itself when it
    already is an Ordo SKU (merchants often set the platform's merchant code to their own)."""
    with app.store.uow(read_only=True) as uow:
        repo = uow.channels
        mapped = repo.sku_map_for(channel, candidates)
        flags = repo.sku_flags([*candidates, *mapped.values()])

    def lookup(platform_sku: str) -> tuple[str, frozenset[str]] | None:
        target = mapped.get(platform_sku, platform_sku)
        found = flags.get(target)
        return None if found is None else (target, found)

    return lookup


def map_payload(app: Ordo, channel: str, payload: Mapping[str, Any]) -> Mapped:
    """The canonical order and steps a payload maps to; raises Unmappable. Writes nothing."""
    co = adapter_for(channel).parse(payload)
    lookup = sku_lookup(app, channel, [s for line in co.lines for s in line.skus])
    return to_canonical(co, lookup, resolver_for(app.divisions))


def set_sku_mapping(app: Ordo, channel: str, platform_sku: str, ordo_sku: str) -> None:
    adapter_for(channel)
    if not platform_sku.strip() or len(platform_sku) > 64:
        raise ValidationError("platform_sku", "1..64 characters / 长度须为 1 到 64 个字符")
    with app.store.uow() as uow:
        if not uow.catalog.known_skus([ordo_sku]):
            raise UnknownSku("ordo_sku", f"unknown SKU {ordo_sku!r} / 未知商品编码「{ordo_sku}」")
        uow.channels.set_sku(channel, platform_sku.strip(), ordo_sku, app.clock.now_ns())
        uow.commit()


def parse_body(text: str) -> Mapping[str, Any]:
    """JSON with exact decimals (``parse_float=Decimal``); raises Unmappable if it is not an object."""
    try:
        payload = json.loads(text, parse_float=Decimal)
    except ValueError:
        raise Unmappable(
            [Reason("malformed_payload", "body", "body is not JSON / 请求体不是合法的 JSON")]
        ) from None
    if not isinstance(payload, dict):
        raise Unmappable(
            [Reason("malformed_payload", "body", "body is not a JSON object / 请求体不是 JSON 对象")]
        )
    return payload


# -- the way in --------------------------------------------------------------------
def receive(app: Ordo, channel: str, body: bytes) -> Receipt:
    """Take one authenticated body: create or update the order, park it, or dead-letter it."""
    adapter_for(channel)
    return _process(app, channel, body.decode("utf-8", errors="replace"), None)


def replay(app: Ordo, ids: Sequence[int] | None = None) -> list[Receipt]:
    """Process open dead letters again (all of them, or those ``ids``)."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.channels.dead_letters(ids=ids)
    return [_process(app, r["channel"], r["body"], int(r["id"])) for r in rows]


def dead_letters(app: Ordo, *, state: str | None = "open", limit: int = 100) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.channels.dead_letters(state=state, limit=limit)


def _process(app: Ordo, channel: str, text: str, dead_letter: int | None) -> Receipt:
    payload: Mapping[str, Any] = {}
    try:
        payload = parse_body(text)
        mapped = map_payload(app, channel, payload)
    except Unmappable as exc:
        return _dead(app, channel, text, exc.reasons, _guess_id(payload), dead_letter)
    co = mapped.source
    already: set[Milestone] = set()
    outcome = ChannelOutcome.DUPLICATE
    if mapped.order is not None:
        [result] = intake(app, [mapped.order])
        if result.outcome is IntakeOutcome.REJECTED:
            assert result.error is not None
            field_name = str(result.error.details.get("field", "order"))
            reason = Reason(result.error.code, field_name, result.error.message)
            return _dead(app, channel, text, [reason], co.external_id, dead_letter)
        order_id = result.order_id
        if result.outcome is IntakeOutcome.CREATED:
            outcome = ChannelOutcome.CREATED
            already = {Milestone.CREATED} | (
                {Milestone.PAID} if mapped.order.paid_at_ns is not None else set()
            )
    else:
        order_id = _order_id(app, channel, co.external_id)
        if order_id is None:
            with app.store.uow() as uow:
                uow.channels.park(channel, co.external_id, text, app.clock.now_ns())
                if dead_letter is not None:
                    uow.channels.resolve_dead_letter(dead_letter, None, app.clock.now_ns())
                uow.commit()
            # The order may have been committed between the look-up and the park: drain now.
            order_id = _order_id(app, channel, co.external_id)
            if order_id is None:
                return Receipt(channel, ChannelOutcome.PENDING, co.external_id)
    assert order_id is not None
    updates = [MilestoneUpdate(order_id, m, at, channel) for m, at in co.steps if m not in already]
    recorded = [r.update.milestone.value for r in advance(app, updates) if r.outcome is Outcome.RECORDED]
    if dead_letter is not None:
        with app.store.uow() as uow:
            uow.channels.resolve_dead_letter(dead_letter, order_id, app.clock.now_ns())
            uow.commit()
    with app.store.uow(read_only=True) as uow:
        repo = uow.channels
        pending, state = repo.has_pending(channel, co.external_id), repo.order_state(order_id)
    if pending:  # updates that came before this order: apply them, then read the outcome again
        recorded += _drain(app, channel, co.external_id, order_id)
        with app.store.uow(read_only=True) as uow:
            state = uow.channels.order_state(order_id)
    status, hold = state if state else (None, None)
    return Receipt(channel, outcome, co.external_id, order_id, status, hold, recorded=tuple(recorded))


def _order_id(app: Ordo, channel: str, external_id: str) -> str | None:
    with app.store.uow(read_only=True) as uow:
        return uow.orders.existing([(channel, external_id)]).get((channel, external_id))


def _drain(app: Ordo, channel: str, external_id: str, order_id: str) -> list[str]:
    """Apply the updates parked for this order (they arrived before it did)."""
    with app.store.uow() as uow:
        bodies = uow.channels.take_pending(channel, external_id)
        uow.commit()
    recorded: list[str] = []
    adapter = adapter_for(channel)
    for body in bodies:
        try:
            co = adapter.parse(parse_body(body))
        except Unmappable as exc:  # parsed once already; kept anyway rather than lost
            _dead(app, channel, body, exc.reasons, external_id, None)
            continue
        updates = [MilestoneUpdate(order_id, m, at, channel) for m, at in co.steps]
        recorded += [r.update.milestone.value for r in advance(app, updates) if r.outcome is Outcome.RECORDED]
    return recorded


def _dead(
    app: Ordo,
    channel: str,
    text: str,
    reasons: Sequence[Reason],
    external_id: str | None,
    dead_letter: int | None,
) -> Receipt:
    listed = [r.as_dict() for r in reasons]
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        repo = uow.channels
        if dead_letter is None:
            dead_letter = repo.add_dead_letter(channel, external_id, text, listed, now)
        else:
            repo.retry_failed(dead_letter, listed, now)
        uow.commit()
    return Receipt(
        channel, ChannelOutcome.DEAD_LETTERED, external_id, dead_letter_id=dead_letter, reasons=tuple(listed)
    )


def _guess_id(payload: Mapping[str, Any]) -> str | None:
    for scope in (payload, *(v for v in payload.values() if isinstance(v, Mapping))):
        for key in _ID_KEYS:
            value = scope.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)[:64]
    return None
