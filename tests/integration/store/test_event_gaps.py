"""Readers of the outbox never skip an event whose transaction commits late.

The loss this guards against (PostgreSQL): event ids came from a sequence at insert
time, so transaction T1 could take id n, T2 take n + 1 and commit first; a reader
keeping ``id > cursor`` saw n + 1, moved its cursor past n, and never read n once T1
committed. The store now makes ids visible in id order (see ``repositories/outbox.py``);
these tests replay that interleaving with two connections, deterministically.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ordo.adapters.store import open_store
from ordo.adapters.store.engine import Store
from ordo.domain.events import Event
from tests.conftest import T0


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Store]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = open_store(url)
    yield s
    s.dispose()


def _read(store: Store, cursor: int) -> list[int]:
    with store.uow(read_only=True) as uow:
        return [int(r["id"]) for r in uow.outbox.after(cursor)]


def _event(name: str) -> Event:
    return Event("order.created", name, T0, {"name": name})


def test_a_late_commit_is_not_skipped_by_a_cursor(pg_url: str) -> None:
    """T1 appends first and stays open; T2 appends and commits; the reader reads; T1 commits."""
    store = open_store(pg_url)
    try:
        seen: list[int] = []
        cursor = 0
        t1 = store.uow()
        uow1 = t1.__enter__()
        try:
            uow1.outbox.append([_event("first")])
            with store.uow() as uow2:
                uow2.outbox.append([_event("second")])
                uow2.commit()
            got = _read(store, cursor)
            seen += got
            cursor = max(got, default=cursor)
            uow1.commit()
        finally:
            t1.__exit__(None, None, None)
        got = _read(store, cursor)
        seen += got
        with store.uow(read_only=True) as uow:
            stored = sorted(int(r["id"]) for r in uow.outbox.after(0))
        assert len(stored) == 2
        assert sorted(seen) == stored, f"the reader missed {sorted(set(stored) - set(seen))}"
    finally:
        store.dispose()


def test_ids_become_visible_in_id_order_when_an_append_is_read_back(pg_url: str) -> None:
    """A transaction that reads its own events back holds the append order until it commits:
    a second writer waits for it rather than committing a higher id first."""
    store = open_store(pg_url)
    try:
        t1 = store.uow()
        uow1 = t1.__enter__()
        committed = threading.Event()
        try:
            uow1.outbox.append([_event("first")])
            mine = uow1.outbox.after(0)  # read-your-writes: the event is in the table now
            assert [r["order_id"] for r in mine] == ["first"]

            def second() -> None:
                with store.uow() as uow2:
                    uow2.outbox.append([_event("second")])
                    uow2.commit()
                committed.set()

            writer = threading.Thread(target=second)
            writer.start()
            assert not committed.wait(0.5), "the second writer committed before the first"
            assert _read(store, 0) == []
            uow1.commit()
        finally:
            t1.__exit__(None, None, None)
        writer.join(10)
        assert committed.is_set()
        with store.uow(read_only=True) as uow:
            rows = uow.outbox.after(0)
        assert [r["order_id"] for r in rows] == ["first", "second"]
    finally:
        store.dispose()


def test_every_backend_reads_both_events_in_order(store: Store) -> None:
    with store.uow() as uow:
        uow.outbox.append([_event("a"), _event("b")])
        uow.commit()
    with store.uow() as uow:
        uow.outbox.append([_event("c")])
        uow.commit()
    with store.uow(read_only=True) as uow:
        rows = uow.outbox.after(0)
        assert [r["order_id"] for r in rows] == ["a", "b", "c"]
        assert uow.outbox.last_id() == rows[-1]["id"]
