"""Pulling orders from the platforms: per shop, incremental by modified time, on a schedule.

    Puller(app, client).pull(shop_id)   one shop, from its cursor up to now
    Puller(app, client).step()          every shop whose turn it is (the background duty)

Each shop has a cursor (``platform_pull_cursors``): everything modified before it has
been taken in. A round reads from ``cursor - overlap`` (orders whose modified time the
platform stamps late, or that moved while Ordo paged, are read again) up to now, in
windows no wider than the platform allows (Pinduoduo 30 minutes, TOP one day) and no
wider than ``window_s``, page by page. Each page goes through the ordinary intake
(:func:`ordo.service.channels.intake.receive_batch`: idempotent on channel + external id,
an unmappable order becomes a dead letter, a later version records its milestones); its
orders' shop and, once a window is done, the cursor are committed after the page's
orders are. A crash at any point therefore leaves the cursor at or before the last
window whose every order is stored: the next run reads that window again and intake
answers "duplicate" for what it already has — no gap, no duplicate.

Rate limits and server errors are retried with backoff on the injected clock
(:data:`PULL`, Ordo's :class:`~ordo.service.runtime.retry.RetryPolicy`); when the
attempts run out the shop waits (a scheduled :class:`~ordo.service.runtime.retry.Backoff`)
while the other shops go on. Refused credentials are re-read once (a rotation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ordo.adapters.platforms import MAX_WINDOW_S, Credentials, Page, PlatformClient, PlatformError
from ordo.clock import NS_PER_S
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt
from ordo.service.channels.shops import ShopCredentials, credentials
from ordo.service.ports import ShopRecord
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import Backoff, RetryPolicy

_T = TypeVar("_T")
#: Seconds re-read before the cursor on every round.
OVERLAP_S = 300
#: Widest window one round asks for (the platform's own limit may be narrower).
WINDOW_S = 600
#: How far back a shop's first round reaches.
FIRST_LOOKBACK_S = 3 * 86_400
#: Seconds between two rounds of one shop.
EVERY_S = 60.0
#: A throttled or failing call: 1 s, 2 s, … at most 60 s, 6 attempts; then the shop waits.
PULL = RetryPolicy(base_s=1.0, factor=2.0, max_s=60.0, max_attempts=6, jitter=0.2)
#: A shop whose round failed waits 30 s, 60 s, … at most 15 min before the next.
SHOP_BACKOFF = RetryPolicy(base_s=30.0, max_s=900.0)


@dataclass(slots=True)
class PullReport:
    shop_id: str
    pages: int = 0
    orders: int = 0
    created: int = 0
    duplicates: int = 0
    pending: int = 0
    dead_lettered: int = 0
    cursor_ns: int | None = None
    error: str = ""

    def add(self, receipts: list[Receipt]) -> None:
        for r in receipts:
            self.orders += 1
            if r.outcome is ChannelOutcome.CREATED:
                self.created += 1
            elif r.outcome is ChannelOutcome.DUPLICATE:
                self.duplicates += 1
            elif r.outcome is ChannelOutcome.PENDING:
                self.pending += 1
            else:
                self.dead_lettered += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id,
            "pages": self.pages,
            "orders": self.orders,
            "created": self.created,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "dead_lettered": self.dead_lettered,
            "cursor_ns": self.cursor_ns,
            "error": self.error,
        }


@dataclass(slots=True)
class _Turn:
    next_at_ns: int = 0
    backoff: Backoff | None = None


@dataclass
class Puller:
    """The pull duty of one process: the shops' credentials, turns and backoffs."""

    app: Ordo
    client: PlatformClient
    every_s: float = EVERY_S
    overlap_s: int = OVERLAP_S
    window_s: int = WINDOW_S
    lookback_s: int = FIRST_LOOKBACK_S
    policy: RetryPolicy = PULL
    shops: ShopCredentials = field(default_factory=ShopCredentials)
    #: Called after each committed page (tests and benchmarks watch progress; a crash test kills here).
    on_page: Callable[[PullReport], None] | None = None
    _turns: dict[str, _Turn] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def step(self) -> int:
        """Pull every shop whose turn it is; how many orders were read."""
        now = self.app.clock.now_ns()
        done = 0
        for shop in self.shops.shops(self.app.store):
            with self._lock:
                turn = self._turns.setdefault(shop["id"], _Turn())
            if now < turn.next_at_ns:
                continue
            report = self.pull(shop["id"])
            done += report.orders
            with self._lock:
                if report.error:
                    turn.backoff = turn.backoff or Backoff(self.app.rng)
                    turn.backoff.failed(SHOP_BACKOFF, now, report.error)
                    turn.next_at_ns = turn.backoff.next_at_ns
                else:
                    turn.backoff = None
                    turn.next_at_ns = now + int(self.every_s * NS_PER_S)
        return done

    def pull(self, shop_id: str, *, until_s: int | None = None) -> PullReport:
        """One round for one shop: from its cursor (less the overlap) up to now."""
        app = self.app
        shop = self.shops.get(app.store, shop_id)
        report = PullReport(shop_id)
        now_s = app.clock.now_ns() // NS_PER_S
        end_s = now_s if until_s is None else min(until_s, now_s)
        with app.store.uow(read_only=True) as uow:
            found = uow.platforms.cursor(shop_id)
        cursor_s = found[0] // NS_PER_S if found else now_s - self.lookback_s
        report.cursor_ns = found[0] if found else None
        start_s = cursor_s - (self.overlap_s if found else 0)
        widest = MAX_WINDOW_S.get(shop["channel"], self.window_s)
        width = min(self.window_s, widest)
        try:
            while start_s < end_s:
                stop_s = min(start_s + width, end_s)
                pages = self._window(shop, start_s, stop_s, report)
                start_s = stop_s
                # Quiet stretches (a first pull's look back) in wider windows, busy ones in
                # narrower: the cursor moves once per window, so a crash repeats little.
                if pages <= 1:
                    width = min(width * 2, widest)
                elif pages > 8:
                    width = max(60, width // 2)
        except PlatformError as exc:
            report.error = str(exc)
        return report

    def _window(self, shop: ShopRecord, start_s: int, stop_s: int, report: PullReport) -> int:
        """Every page of one window through intake, then the cursor to its end; the page count."""
        app, channel, shop_id = self.app, shop["channel"], shop["id"]
        page_no, cursor = 1, ""
        while True:
            page = self._page(shop_id, start_s, stop_s, page_no, cursor)
            cursor = page.cursor
            if page.detail_ids:  # the list named the orders only: each read in full
                page = page._replace(orders=[self._detail(shop_id, oid) for oid in page.detail_ids])
            answers = receive_batch(app, [Push(channel, text) for text in page.orders])
            failed = [a for a in answers if isinstance(a, BaseException)]
            if failed:  # not taken in (the store is down …): the cursor must not pass them
                raise failed[0]
            receipts = [a for a in answers if isinstance(a, Receipt)]
            report.add(receipts)
            report.pages += 1
            keys = [(channel, r.external_id) for r in receipts if r.external_id]
            last = not page.has_next or not page.orders
            cursor_ns = stop_s * NS_PER_S if last else (report.cursor_ns or start_s * NS_PER_S)

            def commit(keys: list[tuple[str, str]] = keys, cursor_ns: int = cursor_ns) -> None:
                with app.store.uow() as uow:
                    uow.platforms.commit_page(shop_id, cursor_ns, keys, app.clock.now_ns())
                    uow.commit()

            app.retrying(commit)
            if last:
                report.cursor_ns = cursor_ns
            if self.on_page is not None:
                self.on_page(report)
            if last:
                return page_no
            page_no += 1

    def _page(self, shop_id: str, start_s: int, stop_s: int, page_no: int, cursor: str = "") -> Page:
        def call(creds: Credentials, now_s: int) -> Page:
            return self.client.list_page(creds, start_s, stop_s, page_no, now_s, cursor=cursor)

        return self._retrying(shop_id, call)

    def _detail(self, shop_id: str, order_id: str) -> str:
        def call(creds: Credentials, now_s: int) -> str:
            return self.client.order_detail(creds, order_id, now_s)

        return self._retrying(shop_id, call)

    def _retrying(self, shop_id: str, fn: Callable[[Credentials, int], _T]) -> _T:
        """One platform call with the shop's credentials: re-read once when refused (a rotation),
        retried with backoff when throttled or failing."""
        app = self.app
        refreshed = False

        def call() -> _T:
            nonlocal refreshed
            creds = credentials(self.shops.get(app.store, shop_id))
            try:
                return fn(creds, app.clock.now_ns() // NS_PER_S)
            except PlatformError as exc:
                if exc.kind == "auth" and not refreshed:  # rotated meanwhile? read them again, once
                    refreshed = True
                    self.shops.forget(shop_id)
                    return call()
                if exc.retryable:
                    raise _Retry(exc) from exc
                raise

        try:
            return self.policy.call(call, _Retry, sleep=app.clock.sleep, rng=app.rng)
        except _Retry as exc:
            raise exc.error from None


class _Retry(Exception):
    def __init__(self, error: PlatformError) -> None:
        super().__init__(str(error))
        self.error = error
