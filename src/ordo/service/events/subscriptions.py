"""Outbound subscriptions: create, list, delete; dead letters; replay of a time range.

A subscription is an HTTP endpoint that receives signed events (inbound pushes from
the platforms are channel webhooks, ``ordo.service.channels``, not these). In the
outbox it is a consumer named ``webhook:<id>``, starting at the newest event when it
is created. A replay is one more consumer,
``webhook:<id>:replay:<n>``, with an end id and a time range; delivery
(``ordo.service.events.delivery``) drops it when it is done.

Every change made here bumps the Ordo's :class:`SubscriptionChanges`
(``ordo.caches.subscriptions``), so the delivery thread, which
remembers "no subscriptions" instead of reading the table on every commit
(:class:`ordo.service.events.outbound.SubscriptionGate`), looks again at once.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ordo.adapters.outbound import targets
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import EVENT_TYPES
from ordo.service.ports import Subscription

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

#: Stored consumer names keep the prefix they were created with.
PREFIX = "webhook:"


class SubscriptionChanges:
    """How many times this Ordo changed subscriptions (or started a replay)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def bump(self) -> None:
        with self._lock:
            self._count += 1


def changes(app: Ordo) -> int:
    """A number that moves whenever this Ordo changes subscriptions (or starts a replay)."""
    return app.caches.subscriptions.count


def _changed(app: Ordo) -> None:
    app.caches.subscriptions.bump()


def consumer(sub_id: str) -> str:
    return f"{PREFIX}{sub_id}"


def _public(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.id,
        "url": sub.url,
        "event_types": sorted(sub.event_types),
        "created_at_ns": sub.created_at_ns,
    }


def create_subscription(
    app: Ordo, url: str, event_types: list[str], secret: str | None = None
) -> dict[str, Any]:
    """Subscribe ``url`` to these event types (none: all); the secret is shown only here."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("url", "an http(s) URL is required / 需要 http(s) 地址")
    refused = targets.refusal(url, app.settings.outbound_allow_hosts)
    if refused is not None:
        raise ValidationError("url", refused)
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            "event_types",
            f"unknown event types {unknown} / 未知事件类型",
            details={"allowed": list(EVENT_TYPES)},
        )
    now = app.clock.now_ns()
    sub = Subscription(
        "WH" + secrets.token_hex(8).upper(),
        url,
        frozenset(event_types),
        secret or secrets.token_urlsafe(32),
        now,
    )
    with app.store.uow() as uow:
        uow.outbound.add_subscription(sub)
        uow.outbound.start(consumer(sub.id), uow.outbox.last_id(), now)
        uow.commit()
    _changed(app)
    app.notifier.notify()
    return {**_public(sub), "secret": sub.secret}


def list_subscriptions(app: Ordo) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        subs = uow.outbound.subscriptions()
        offsets = {o.consumer: o for o in uow.outbound.offsets(PREFIX)}
    out = []
    for sub in subs:
        live = offsets.get(consumer(sub.id))
        replays = [o for name, o in offsets.items() if name.startswith(consumer(sub.id) + ":replay:")]
        out.append(
            {**_public(sub), "delivered_up_to": live.last_id if live else None, "replays": len(replays)}
        )
    return out


def delete_subscription(app: Ordo, sub_id: str) -> None:
    with app.store.uow() as uow:
        if not uow.outbound.delete_subscription(sub_id, app.clock.now_ns()):
            raise NotFound(f"no webhook subscription {sub_id!r} / 订阅不存在")
        for o in uow.outbound.offsets(consumer(sub_id)):
            uow.outbound.drop(o.consumer)
        uow.commit()
    _changed(app)


def _existing(app: Ordo, sub_id: str) -> None:
    with app.store.uow(read_only=True) as uow:
        if not any(s.id == sub_id for s in uow.outbound.subscriptions()):
            raise NotFound(f"no webhook subscription {sub_id!r} / 订阅不存在")


def dead_letters(app: Ordo, sub_id: str, limit: int = 100) -> list[dict[str, Any]]:
    _existing(app, sub_id)
    with app.store.uow(read_only=True) as uow:
        return uow.outbound.dead_letters(sub_id, limit)


def replay(app: Ordo, sub_id: str, from_ns: int, to_ns: int) -> dict[str, Any]:
    """Deliver again every event (of the subscribed types) recorded between the two times."""
    if to_ns < from_ns:
        raise ValidationError("to", "the range ends before it starts / 结束时间早于开始时间")
    _existing(app, sub_id)
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        before, last = uow.outbound.id_range(from_ns, to_ns)
        name = f"{consumer(sub_id)}:replay:{now}"
        uow.outbound.start(name, before, now, until_id=last, from_ns=from_ns, to_ns=to_ns)
        uow.commit()
    _changed(app)
    app.notifier.notify()
    return {"replay": name, "from_id": before + 1, "to_id": last, "events": max(0, last - before)}
