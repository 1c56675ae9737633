"""Inventory arithmetic: available-to-promise, safety stock, and what each channel may sell.

Per warehouse and SKU the store keeps on hand, reserved and safety stock;
available-to-promise (ATP) is ``on_hand - reserved - safety``, never below 0. A
SKU's *pool* is its ATP summed over the warehouses.

Channel sellable quantities (库存同步) are computed from the pool by rules held as
data, one per (channel, SKU) or per channel for every SKU (``sku = "*"``):

1. exclusive allocations are ring-fenced first; when the pool cannot cover them all
   it is shared in proportion to them (largest remainder), so no channel starves;
2. the rest is the shared pool; each channel holds back its buffer from it: the
   larger of ``buffer_units`` and ``buffer_pct`` percent (rounded up);
3. a channel whose result is below its ``zero_below`` publishes 0 (so a platform
   never sells its last few units twice).

A new quantity is published (a ``stock.sync`` event per channel) when it moved by
at least the rule's ``threshold`` from the last one published, and always when it
reaches or leaves 0. This module must never do I/O or read a clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ordo.domain.errors import ValidationError
from ordo.domain.events import RESERVATION_EXPIRED as RESERVATION_EXPIRED  # re-exported
from ordo.domain.events import STOCK_SYNC, Event

#: The SKU of a channel rule that applies to every SKU without a rule of its own.
ANY_SKU = "*"
#: Largest quantity any inventory setting takes (the store's columns are BIGINT).
MAX_UNITS = 1_000_000_000
#: Items per ``stock.sync`` event: a first sync of thousands of SKUs comes in parts.
SYNC_ITEMS_PER_EVENT = 500


def atp(on_hand: int, reserved: int, safety: int) -> int:
    """Available to promise: what may still be reserved."""
    return max(0, on_hand - reserved - safety)


def is_low(on_hand: int, reserved: int, safety: int, threshold: int = 0) -> bool:
    """At or below the safety stock (plus ``threshold`` units of warning)."""
    return on_hand - reserved - safety <= threshold


def pools(levels: Iterable[tuple[str, int, int, int]]) -> dict[str, int]:
    """Total ATP per SKU from (sku, on_hand, reserved, safety) rows."""
    out: dict[str, int] = {}
    for sku, on_hand, reserved, safety in levels:
        out[sku] = out.get(sku, 0) + atp(on_hand, reserved, safety)
    return out


def check_units(value: object, field: str) -> int:
    """A unit count 0..MAX_UNITS, or a ValidationError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNITS:
        raise ValidationError(
            field, f"must be a whole number 0..{MAX_UNITS} / 必须是 0 到 {MAX_UNITS} 之间的整数"
        )
    return value


@dataclass(frozen=True, slots=True)
class ChannelRule:
    """How much of a SKU's pool one channel may publish as sellable."""

    channel: str
    sku: str = ANY_SKU
    buffer_pct: int = 0
    buffer_units: int = 0
    exclusive: int = 0
    zero_below: int = 0
    threshold: int = 1

    def check(self, channels: Collection[str], prefix: str = "") -> ChannelRule:
        """Return the rule if every field is valid; else raise naming the first bad field."""
        if self.channel not in channels:
            raise ValidationError(
                f"{prefix}channel",
                f"unknown channel {self.channel!r} / 未知渠道「{self.channel}」",
                details={"allowed": sorted(channels)},
            )
        if not self.sku or len(self.sku) > 64:
            raise ValidationError(f"{prefix}sku", "1..64 characters / 须为 1 到 64 个字符")
        if isinstance(self.buffer_pct, bool) or not isinstance(self.buffer_pct, int):
            raise ValidationError(f"{prefix}buffer_pct", "must be a whole number / 必须是整数")
        if not 0 <= self.buffer_pct <= 100:
            raise ValidationError(f"{prefix}buffer_pct", "must be 0..100 / 必须在 0 到 100 之间")
        for name in ("buffer_units", "exclusive", "zero_below"):
            check_units(getattr(self, name), f"{prefix}{name}")
        if check_units(self.threshold, f"{prefix}threshold") < 1:
            raise ValidationError(f"{prefix}threshold", "must be at least 1 / 至少为 1")
        return self


def _shares(pool: int, asks: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Split ``pool`` over exclusive asks: all of them if it can, else in proportion."""
    total = sum(q for _, q in asks)
    if total <= pool:
        return dict(asks)
    base = {c: pool * q // total for c, q in asks}
    left = pool - sum(base.values())
    # Largest remainder first; ties by channel name, so the split is deterministic.
    for c, _ in sorted(asks, key=lambda a: (-(pool * a[1] % total), a[0]))[:left]:
        base[c] += 1
    return base


def sellable(pool: int, rules: Sequence[ChannelRule]) -> dict[str, int]:
    """Each ruled channel's sellable quantity of one SKU whose total ATP is ``pool``."""
    granted = _shares(max(0, pool), [(r.channel, r.exclusive) for r in rules])
    shared = max(0, pool) - sum(granted.values())
    out: dict[str, int] = {}
    for r in rules:
        held = max(r.buffer_units, -(-shared * r.buffer_pct // 100))
        quantity = granted[r.channel] + max(0, shared - held)
        out[r.channel] = 0 if quantity < r.zero_below else quantity
    return out


def channel_quantities(
    sku_pools: Mapping[str, int], rules: Iterable[ChannelRule]
) -> dict[tuple[str, str], tuple[int, ChannelRule]]:
    """(channel, SKU) → (sellable quantity, the rule that applied) for every SKU a rule covers.

    A channel's rule for the SKU wins over its ``*`` rule. SKUs named by a rule but
    absent from ``sku_pools`` have nothing to promise: pool 0.
    """
    defaults: dict[str, ChannelRule] = {}
    specific: dict[tuple[str, str], ChannelRule] = {}
    for r in rules:
        if r.sku == ANY_SKU:
            defaults[r.channel] = r
        else:
            specific[(r.channel, r.sku)] = r
    channels = sorted({*defaults, *(c for c, _ in specific)})
    skus = set(sku_pools) if defaults else set()
    skus |= {s for _, s in specific}
    out: dict[tuple[str, str], tuple[int, ChannelRule]] = {}
    for sku in sorted(skus):
        found = (specific.get((c, sku)) or defaults.get(c) for c in channels)
        applied = [rule for rule in found if rule is not None]
        if not applied:
            continue
        quantities = sellable(sku_pools.get(sku, 0), applied)
        for rule in applied:
            out[(rule.channel, sku)] = (quantities[rule.channel], rule)
    return out


@dataclass(frozen=True, slots=True)
class SyncChange:
    """A quantity to publish to a channel; ``previous`` is None the first time."""

    channel: str
    sku: str
    quantity: int
    previous: int | None


def due(quantity: int, previous: int | None, threshold: int) -> bool:
    """Whether a channel must be told: first time, past the threshold, or to or from zero."""
    if previous is None:
        return True
    if quantity == previous:
        return False
    return abs(quantity - previous) >= threshold or quantity == 0 or previous == 0


def changes(
    current: Mapping[tuple[str, str], tuple[int, ChannelRule]],
    published: Mapping[tuple[str, str], int],
) -> list[SyncChange]:
    """What to publish, in (channel, SKU) order."""
    out: list[SyncChange] = []
    for (channel, sku), (quantity, rule) in sorted(current.items()):
        previous = published.get((channel, sku))
        if due(quantity, previous, rule.threshold):
            out.append(SyncChange(channel, sku, quantity, previous))
    return out


def sync_events(found: Sequence[SyncChange], now_ns: int, reason: str) -> list[Event]:
    """``stock.sync`` events: per channel, its changed SKUs in parts of SYNC_ITEMS_PER_EVENT."""
    by_channel: dict[str, list[SyncChange]] = {}
    for c in found:
        by_channel.setdefault(c.channel, []).append(c)
    out: list[Event] = []
    for channel, items in sorted(by_channel.items()):
        for start in range(0, len(items), SYNC_ITEMS_PER_EVENT):
            part = items[start : start + SYNC_ITEMS_PER_EVENT]
            payload = {
                "reason": reason,
                "items": [{"sku": c.sku, "quantity": c.quantity, "previous": c.previous} for c in part],
            }
            out.append(Event(STOCK_SYNC, None, now_ns, payload, channel=channel))
    return out
