"""Sellable stock pushed to the platforms' listings: when a channel's quantity of an Ordo
SKU moves (a ``stock.sync`` event, written by :mod:`ordo.service.inventory.stock`), each
shop of that channel is told the new quantity for every listing that sells the SKU.

    StockSync(app, client).step()        collect, send what is due (the background duty)
    set_listing(app, shop, sku, item, platform_sku_id)   which listing sells which SKU
    replay_dead_stock(app)               dead-lettered quantities, again

1. **Collect.** The outbox is read after this duty's own offset (consumer
   ``platform-stock``) for ``stock.sync`` events. For each shop of the event's channel
   whose platform takes quantity updates (:data:`STOCK_PLATFORMS`), each listing of the
   event's SKUs (``platform_listings``) wants the new quantity: one row per listing holds
   the latest quantity wanted, so a burst of changes to one SKU costs one call — batched
   by coalescing. Rows and the new offset commit in one transaction.
2. **Send.** Due rows go out, at most :attr:`StockSync.per_shop` calls per shop a round
   (the platforms' rate limits are per app and shop), as a full quantity through each
   platform's own call (:meth:`PlatformClient.update_quantity`: TOP, JD, Pinduoduo,
   Douyin, Kuaishou — by the difference to what it holds —, Youzan). A rate limit,
   server error or outage is retried with backoff (:data:`STOCK`, on the injected clock);
   refused credentials are read again (a rotation); when the attempts run out, or the
   platform refuses outright, the row is a dead letter until :func:`replay_dead_stock`.
   An answer for a quantity that a newer one replaced meanwhile changes nothing: the
   newer one is still sent.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ordo.adapters.platforms import STOCK_PLATFORMS, PlatformClient, PlatformError
from ordo.clock import NS_PER_S
from ordo.domain import events as ev
from ordo.domain.errors import NotFound, ValidationError
from ordo.service.channels.shops import ShopCredentials, credentials
from ordo.service.ports.platforms import ListingRecord, StockPushRecord
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy

CONSUMER = "platform-stock"
#: A quantity that failed: 1 s, 2 s, 4 s … at most 60 s; a dead letter after 8 attempts.
STOCK = RetryPolicy(base_s=1.0, factor=2.0, max_s=60.0, max_attempts=8, jitter=0.2)
PENDING, ACKED, DEAD = "pending", "acked", "dead"


@dataclass
class StockSync:
    app: Ordo
    client: PlatformClient
    policy: RetryPolicy = STOCK
    batch: int = 500
    #: Calls per shop per round: the rate the platforms allow one shop's app.
    per_shop: int = 20
    shops: ShopCredentials = field(default_factory=ShopCredentials)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self) -> int:
        """One round: collect, send; how much it did (0: idle)."""
        with self._lock:
            return self.collect() + self.send()

    def run_until_idle(self, max_rounds: int = 100) -> dict[str, int]:
        for _ in range(max_rounds):
            if not self.step():
                break
        counts: dict[str, int] = {}
        for row in stock_pushes(self.app):
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        return counts

    # 1. collect -------------------------------------------------------------------------
    def collect(self) -> int:
        app = self.app

        def transaction() -> int:
            now = app.clock.now_ns()
            shops = [s for s in self.shops.shops(app.store) if s["channel"] in STOCK_PLATFORMS]
            if not shops:
                return 0
            with app.store.uow() as uow:
                offset = uow.outbound.offset(CONSUMER)
                if offset is None:  # from the first shop on
                    since = min(s["created_at_ns"] for s in shops)
                    before, inside = uow.outbound.id_range(since, max(now, since))
                    offset = uow.outbound.start(CONSUMER, before if inside else uow.outbox.last_id(), now)
                events = uow.outbound.events_after(offset.last_id, limit=self.batch, types=[ev.STOCK_SYNC])
                if not events:
                    return 0
                wanted: dict[tuple[str, str], int] = {}  # (channel, sku) → the latest quantity
                for e in events:
                    payload = e["payload"] if isinstance(e["payload"], dict) else {}
                    for item in payload.get("items") or []:
                        if isinstance(item, dict) and isinstance(item.get("quantity"), int):
                            wanted[(str(e["channel"]), str(item.get("sku")))] = max(0, int(item["quantity"]))
                rows: list[StockPushRecord] = []
                for shop in shops:
                    skus = [sku for (channel, sku) in wanted if channel == shop["channel"]]
                    if not skus:
                        continue
                    for listing in uow.platforms.listings(shop["id"], skus):
                        rows.append(
                            _row(shop["channel"], listing, wanted[(shop["channel"], listing["sku"])], now)
                        )
                uow.platforms.want_stock(rows)
                uow.outbound.advance(CONSUMER, int(events[-1]["id"]), now)
                uow.commit()
                return len(events)

        return app.retrying(transaction)

    # 2. send ------------------------------------------------------------------------------
    def send(self) -> int:
        app = self.app
        now = app.clock.now_ns()
        with app.store.uow(read_only=True) as uow:
            due = uow.platforms.due_stock(now, self.batch)
        if not due:
            return 0
        by_shop: dict[str, list[StockPushRecord]] = {}
        for row in due:
            by_shop.setdefault(row["shop_id"], []).append(row)
        answers: list[tuple[StockPushRecord, str, str]] = []  # (row, state, error)
        for shop_id, rows in by_shop.items():
            for row in rows[: self.per_shop]:
                answers.append(self._push(shop_id, row, now))

        def transaction() -> None:
            with app.store.uow() as uow:
                for row, state, error in answers:
                    attempts = row["attempts"] + (state != ACKED)
                    if state == PENDING and attempts >= self.policy.max_attempts:
                        state = DEAD
                    uow.platforms.stock_done(
                        row,
                        state=state,
                        attempts=attempts,
                        next_at_ns=now + self.policy.delay_ns(attempts, app.rng) if state == PENDING else now,
                        error=error,
                        now_ns=now,
                    )
                uow.commit()

        app.retrying(transaction)
        return len(answers)

    def _push(self, shop_id: str, row: StockPushRecord, now: int) -> tuple[StockPushRecord, str, str]:
        app = self.app
        try:
            creds = credentials(self.shops.get(app.store, shop_id))
            self.client.update_quantity(
                creds, row["item_id"], row["platform_sku_id"], row["quantity"], now // NS_PER_S
            )
        except NotFound as exc:  # the shop was removed meanwhile
            return row, DEAD, str(exc)
        except PlatformError as exc:
            if exc.kind == "auth":
                self.shops.forget(shop_id)  # rotated? read again at the next attempt
            final = not exc.retryable and exc.kind != "auth"
            return row, DEAD if final else PENDING, str(exc)
        return row, ACKED, ""


def _row(channel: str, listing: ListingRecord, quantity: int, now: int) -> StockPushRecord:
    return {
        "shop_id": listing["shop_id"],
        "item_id": listing["item_id"],
        "platform_sku_id": listing["platform_sku_id"],
        "channel": channel,
        "sku": listing["sku"],
        "quantity": quantity,
        "state": PENDING,
        "attempts": 0,
        "next_at_ns": now,
        "acked_at_ns": None,
        "last_error": "",
        "updated_at_ns": now,
    }


def set_listing(app: Ordo, shop_id: str, sku: str, item_id: str, platform_sku_id: str = "") -> dict[str, Any]:
    """Record that ``item_id`` (and its ``platform_sku_id``, empty for an item without SKUs)
    sells ``sku`` in shop ``shop_id``; the channel's last published quantity of the SKU, if
    any, is wanted on it at once."""
    for name, value, limit in (
        ("sku", sku, 64),
        ("item_id", item_id, 64),
        ("platform_sku_id", platform_sku_id, 64),
    ):
        if len(value) > limit or (name != "platform_sku_id" and not value.strip()):
            raise ValidationError(name, f"{name}: 1..{limit} characters / 长度须为 1 到 {limit} 个字符")
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        shop = uow.platforms.shop(shop_id)
        if shop is None:
            raise NotFound(f"no shop {shop_id!r} / 店铺「{shop_id}」不存在", details={"shop_id": shop_id})
        if not uow.catalog.known_skus([sku]):
            raise ValidationError("sku", f"unknown SKU {sku!r} / 未知商品编码「{sku}」")
        listing: ListingRecord = {
            "shop_id": shop_id,
            "item_id": item_id.strip(),
            "platform_sku_id": platform_sku_id.strip(),
            "sku": sku,
            "updated_at_ns": now,
        }
        uow.platforms.set_listings([listing])
        published = uow.channel_stock.published([sku]).get((shop["channel"], sku))
        if published is not None and shop["channel"] in STOCK_PLATFORMS:
            uow.platforms.want_stock([_row(shop["channel"], listing, published, now)])
        uow.commit()
    return dict(listing)


def listings(app: Ordo, shop_id: str | None = None) -> list[ListingRecord]:
    with app.store.uow(read_only=True) as uow:
        return uow.platforms.listings(shop_id)


def replay_dead_stock(app: Ordo) -> int:
    """Dead-lettered quantities are due again now; how many."""
    with app.store.uow() as uow:
        n = uow.platforms.replay_stock(app.clock.now_ns())
        uow.commit()
    return n


def stock_pushes(app: Ordo, *, state: str | None = None) -> list[StockPushRecord]:
    with app.store.uow(read_only=True) as uow:
        return uow.platforms.stock_pushes(state=state)


__all__: Sequence[str] = ("StockSync", "listings", "replay_dead_stock", "set_listing", "stock_pushes")
