"""The channels a scoped write would touch, read before the write so a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo


def order_channels(app: Ordo, order_ids: Sequence[str]) -> dict[str, str]:
    """Order id → channel for the ids that exist (unknown ids are the write's own business)."""
    with app.store.uow(read_only=True) as uow:
        return uow.people.order_channels(order_ids)


def order_places(app: Ordo, order_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """Order id → (channel, shop) for the ids that exist; the shop is the platform shop the
    order was pulled from (None for an order pushed or submitted, from no known shop)."""
    with app.store.uow(read_only=True) as uow:
        keys = uow.people.order_keys(order_ids)
        shops = uow.platforms.shops_of(keys.values())
    return {oid: (key[0], shops.get(key)) for oid, key in keys.items()}


def dead_letter_channels(app: Ordo, ids: Sequence[int] | None) -> dict[int, str]:
    """Dead letter id → channel: those ``ids``, or every open one when None."""
    with app.store.uow(read_only=True) as uow:
        return uow.people.dead_letter_channels(ids, open_only=ids is None)


def key_shops(app: Ordo, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(channel, external id) → the platform shop that order was pulled from, for the keys a
    shop's puller recorded (an order pushed or submitted directly is of no known shop)."""
    if not keys:
        return {}
    with app.store.uow(read_only=True) as uow:
        return uow.platforms.shops_of(keys)
