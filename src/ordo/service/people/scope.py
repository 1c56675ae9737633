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


def dead_letter_channels(app: Ordo, ids: Sequence[int] | None) -> dict[int, str]:
    """Dead letter id → channel: those ``ids``, or every open one when None."""
    with app.store.uow(read_only=True) as uow:
        return uow.people.dead_letter_channels(ids, open_only=ids is None)
