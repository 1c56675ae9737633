"""A hypothesis state machine on the stock store: on hand ≥ reserved ≥ 0, whatever happens.

Random sequences of reservations (one or several lines, all or nothing), partial
releases, cancellations (release everything an order holds), shipments (consume),
attempts to release or ship more than is held, safety stock changes and restocks run
against a real SQLite store, beside a plain model of what each row should hold.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ordo.adapters.store.repositories.stock import Delta
from ordo.domain.errors import StoreConflict
from ordo.domain.inventory.stock import atp
from ordo.domain.orders.model import Stock
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, seed_tiny_world

KEYS = [("WH-SH", "SKU-TEA"), ("WH-BJ", "SKU-TEA"), ("WH-SH", "SKU-CUP"), ("WH-GZ", "SKU-CUP")]
key = st.sampled_from(KEYS)
units = st.integers(1, 6)


class StockMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self, app: Ordo) -> None:
        super().__init__()
        self.app = app
        self.on_hand: dict[tuple[str, str], int] = {}
        self.safety: dict[tuple[str, str], int] = {}
        self.held: dict[int, Counter[tuple[str, str]]] = {}
        self.next_id = 0

    # helpers ---------------------------------------------------------------------
    def reserved(self, k: tuple[str, str]) -> int:
        return sum(h[k] for h in self.held.values())

    def write(self, action: str, lines: Counter[tuple[str, str]]) -> bool:
        """Apply one guarded adjustment in its own transaction; False if the store refused it."""
        deltas = [Delta(w, s, q) for (w, s), q in lines.items() if q]
        try:
            with self.app.store.uow() as uow:
                getattr(uow.stock, action)(deltas)
                uow.commit()
        except StoreConflict:
            return False
        return True

    # rules -----------------------------------------------------------------------
    @initialize(levels=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 3)), min_size=4, max_size=4))
    def stock_take(self, levels):
        stock = [Stock(w, s, on, 0, sf) for (w, s), (on, sf) in zip(KEYS, levels, strict=True)]
        with self.app.store.uow() as uow:
            uow.stock.set_levels(stock)
            uow.commit()
        self.on_hand = {(s.warehouse_id, s.sku): s.on_hand for s in stock}
        self.safety = {(s.warehouse_id, s.sku): s.safety for s in stock}

    @rule(target=orders, lines=st.lists(st.tuples(key, units), min_size=1, max_size=3))
    def reserve(self, lines):
        need: Counter[tuple[str, str]] = Counter()
        for k, q in lines:
            need[k] += q
        fits = all(atp(self.on_hand[k], self.reserved(k), self.safety[k]) >= q for k, q in need.items())
        assert self.write("reserve", need) == fits  # all lines or none
        if not fits:
            return multiple()
        self.next_id += 1
        self.held[self.next_id] = need
        return self.next_id

    @rule(order=orders, data=st.data())
    def release_part(self, order, data):
        held = self.held.get(order)
        if not held or not +held:
            return
        k = data.draw(st.sampled_from(sorted(k for k, q in held.items() if q)))
        q = data.draw(st.integers(1, held[k]))
        assert self.write("release", Counter({k: q}))
        held[k] -= q

    @rule(order=consumes(orders))
    def cancel(self, order):
        assert self.write("release", self.held.pop(order))

    @rule(order=consumes(orders))
    def ship(self, order):
        held = self.held.pop(order)
        assert self.write("consume", held)
        for k, q in held.items():
            self.on_hand[k] -= q

    @rule(k=key, extra=units)
    def release_more_than_is_held(self, k, extra):
        assert not self.write("release", Counter({k: self.reserved(k) + extra}))

    @rule(k=key, extra=units)
    def ship_more_than_is_held(self, k, extra):
        assert not self.write("consume", Counter({k: self.reserved(k) + extra}))

    @rule(k=key, value=st.integers(0, 10))
    def set_safety(self, k, value):
        with self.app.store.uow() as uow:
            uow.stock.set_safety([(k[0], k[1], value)])
            uow.commit()
        self.safety[k] = value

    @rule(k=key, more=units)
    def restock(self, k, more):
        with self.app.store.uow() as uow:
            [row] = uow.stock.get([k]).values()
            uow.stock.set_levels([Stock(k[0], k[1], row.on_hand + more, row.reserved, row.safety)])
            uow.commit()
        self.on_hand[k] += more

    # what must always hold -------------------------------------------------------
    @invariant()
    def on_hand_covers_reserved_and_the_store_agrees_with_the_model(self):
        if not self.on_hand:
            return
        with self.app.store.uow(read_only=True) as uow:
            rows = uow.stock.get(KEYS)
        for k in KEYS:
            s = rows[k]
            assert s.on_hand >= s.reserved >= 0, s
            assert (s.on_hand, s.reserved, s.safety) == (self.on_hand[k], self.reserved(k), self.safety[k])


@pytest.mark.slow
def test_stock_never_goes_below_what_is_reserved_under_random_operations(sqlite_url, clock):
    app = make_app(sqlite_url, clock)
    seed_tiny_world(app)
    try:
        run_state_machine_as_test(
            lambda: StockMachine(app),
            settings=settings(
                max_examples=100,
                stateful_step_count=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        app.store.dispose()
