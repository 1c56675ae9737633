"""Inventory reads: stock rows with available-to-promise and channel sellable quantities,
the low-stock list, and channel stock rules. Nothing here writes.

Sellable quantities are computed live from the stock (the same arithmetic the sync
publishes with), so they may run ahead of what a channel was last told (``published``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ordo.domain.errors import ValidationError
from ordo.domain.inventory import stock as inv
from ordo.domain.orders.model import Channel
from ordo.service.runtime.app import Ordo

CHANNELS = frozenset(c.value for c in Channel)


def in_scope(rules: Sequence[inv.ChannelRule], skus: Sequence[str] | None) -> list[inv.ChannelRule]:
    """The rules that can apply to these SKUs (a SKU rule outside them would add its SKU)."""
    if skus is None:
        return list(rules)
    wanted = set(skus)
    return [r for r in rules if r.sku == inv.ANY_SKU or r.sku in wanted]


def level_row(warehouse_id: str, sku: str, on_hand: int, reserved: int, safety: int) -> dict[str, object]:
    return {
        "warehouse_id": warehouse_id,
        "sku": sku,
        "on_hand": on_hand,
        "reserved": reserved,
        "safety": safety,
        "available": inv.atp(on_hand, reserved, safety),
        "low": inv.is_low(on_hand, reserved, safety),
    }


def check_channel(channel: str | None, field: str = "channel") -> None:
    if channel is not None and channel not in CHANNELS:
        raise ValidationError(
            field,
            f"unknown channel {channel!r} / 未知渠道「{channel}」",
            details={"allowed": sorted(CHANNELS)},
        )


def levels(
    app: Ordo,
    *,
    warehouse_id: str | None = None,
    sku: str | None = None,
    low_only: bool = False,
    low_threshold: int = 0,
    channel: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, object]], tuple[str, str] | None]:
    """A page of stock rows in (warehouse, SKU) order, each with the product and warehouse
    names, its SKU's pool (available over every warehouse) and the channels' sellable
    quantities, and the key to go on after. With ``channel``: only the
    rows of SKUs that channel sells (by its rules), with only its sellable quantity."""
    check_channel(channel)
    with app.store.uow(read_only=True) as uow:
        sold: list[str] | None = None
        if channel is not None:
            mine = uow.channel_stock.rules(channel)
            if not mine:
                return [], None
            if all(r.sku != inv.ANY_SKU for r in mine):
                sold = [r.sku for r in mine]
        rows = uow.stock.query(
            warehouse_id=warehouse_id,
            sku=sku,
            low_only=low_only,
            low_threshold=low_threshold,
            after=after,
            limit=limit + 1,
            sku_in=sold,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        skus = sorted({r.sku for r in rows})
        pools = uow.stock.pools(skus) if skus else {}
        rules = in_scope(uow.channel_stock.rules(), skus) if skus else []
        products = uow.worklist.sku_names(skus) if skus else {}
        places = {w.id: w.name for w in uow.catalog.warehouses()}
    current = inv.channel_quantities(pools, rules)
    sellable: dict[str, dict[str, int]] = {s: {} for s in skus}
    for (c, s), (quantity, _) in current.items():
        if channel is None or c == channel:
            sellable[s][c] = quantity
    items = []
    for r in rows:
        row = level_row(r.warehouse_id, r.sku, r.on_hand, r.reserved, r.safety)
        row["name"] = products.get(r.sku, "")
        row["warehouse_name"] = places.get(r.warehouse_id, r.warehouse_id)
        row["pool"] = pools.get(r.sku, 0)
        row["sellable"] = sellable[r.sku]
        items.append(row)
    last = (rows[-1].warehouse_id, rows[-1].sku) if more and rows else None
    return items, last


def channel_stock(
    app: Ordo, channel: str, *, sku: str | None = None, after: str | None = None, limit: int = 100
) -> dict[str, object]:
    """One channel's rules, and a page of its SKUs (in SKU order) with each one's pool,
    sellable quantity and last published quantity."""
    check_channel(channel)
    with app.store.uow(read_only=True) as uow:
        rules = uow.channel_stock.rules()
        mine = [r for r in rules if r.channel == channel]
        if sku is not None:
            candidates = [sku]
        else:
            named = {r.sku for r in mine if r.sku != inv.ANY_SKU and (after is None or r.sku > after)}
            if any(r.sku == inv.ANY_SKU for r in mine):
                named |= set(uow.stock.skus_after(after, limit + 1))
            candidates = sorted(named)[: limit + 1]
        pools = uow.stock.pools(candidates) if candidates else {}
        published = uow.channel_stock.published(candidates) if candidates else {}
    current = inv.channel_quantities(pools, in_scope(rules, candidates))
    page = [s for s in candidates[:limit] if (channel, s) in current]
    items = [
        {
            "sku": s,
            "pool": pools.get(s, 0),
            "sellable": current[(channel, s)][0],
            "published": published.get((channel, s)),
            "rule_sku": current[(channel, s)][1].sku,
        }
        for s in page
    ]
    more = len(candidates) > limit
    return {
        "channel": channel,
        "rules": [rule_row(r) for r in mine],
        "items": items,
        "next_cursor": candidates[limit - 1] if more else None,
    }


def channel_rules(app: Ordo) -> list[dict[str, object]]:
    with app.store.uow(read_only=True) as uow:
        return [rule_row(r) for r in uow.channel_stock.rules()]


def rule_row(r: inv.ChannelRule) -> dict[str, object]:
    return {
        "channel": r.channel,
        "sku": r.sku,
        "buffer_pct": r.buffer_pct,
        "buffer_units": r.buffer_units,
        "exclusive": r.exclusive,
        "zero_below": r.zero_below,
        "threshold": r.threshold,
    }
