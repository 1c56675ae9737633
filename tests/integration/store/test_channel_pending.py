"""Parked channel updates on both backends: which orders have one, asked many at a time."""

from __future__ import annotations

import pytest

from ordo.adapters.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    value: str = request.getfixturevalue(name)
    return value


def test_pending_among_names_only_the_asked_orders_that_have_a_parked_update(url: str) -> None:
    store = open_store(url)
    try:
        keys = [("taobao", "1"), ("taobao", "2"), ("jd", "1")]
        with store.uow(read_only=True) as uow:
            assert uow.channels.pending_among(keys) == set()  # an empty table: nothing to find
        with store.uow() as uow:
            uow.channels.park("taobao", "2", "{}", 1)
            uow.channels.park("douyin", "9", "{}", 2)
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.channels.pending_among(keys) == {("taobao", "2")}
            assert uow.channels.pending_among([]) == set()
        with store.uow() as uow:
            assert uow.channels.take_pending_many([("taobao", "2")]) == {("taobao", "2"): ["{}"]}
            uow.commit()
        with store.uow(read_only=True) as uow:
            assert uow.channels.pending_among(keys) == set()
    finally:
        store.dispose()
