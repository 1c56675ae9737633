"""Verified API keys are cached per process: no read per request, revocation still holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.domain.errors import Unauthenticated
from ordo.service.people import Caller
from ordo.service.runtime import keys
from ordo.service.runtime.keys import KeyCache

URL = "/api/v1/orders"


class Tick:
    """A fake monotonic clock for the cache's TTL."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tick(world, monkeypatch) -> Tick:
    t = Tick()
    monkeypatch.setattr(world.caches, "keys", KeyCache(ttl_s=5.0, now=t))
    return t


@pytest.fixture
def key_reads(world) -> Iterator[list[str]]:
    """Statements that read the API key table, as they run."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if "api_keys" in statement:
            seen.append(statement)

    sa.event.listen(world.store.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(world.store.engine, "before_cursor_execute", record)


def test_a_known_key_is_checked_against_the_store_once_then_from_the_cache(client, auth, key_reads, tick):
    for _ in range(5):
        assert client.get(URL, headers=auth(Role.VIEWER)).status_code == 200
    assert len(key_reads) == 1


def test_the_cache_is_keyed_by_the_whole_token_so_a_wrong_secret_is_still_refused(client, api_keys, tick):
    token = api_keys[Role.ADMIN]
    assert client.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    r = client.get(URL, headers={"Authorization": f"Bearer {token[:-1]}x"})
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"


def test_a_cached_key_keeps_its_role(client, auth, tick):
    assert client.get(URL, headers=auth(Role.VIEWER)).status_code == 200
    r = client.post(URL, json={"garbage": True}, headers=auth(Role.VIEWER))
    assert r.status_code == 403


def test_a_key_revoked_in_this_process_is_refused_at_once_though_it_was_cached(
    client, world, api_keys, auth, tick
):
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 200
    keys.revoke_key(world, api_keys[Role.OPS].split("_")[1])
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 401
    assert client.get(URL, headers=auth(Role.ADMIN)).status_code == 200


def test_a_key_revoked_by_another_process_is_refused_here_once_the_ttl_passed(
    client, world, settings, api_keys, auth, tick
):
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 200
    other = bootstrap(Settings(database_url=settings.database_url))  # its own store and cache
    try:
        keys.revoke_key(other, api_keys[Role.OPS].split("_")[1])
    finally:
        other.store.dispose()
    tick.now += 4.9
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 200  # within the documented TTL
    tick.now += 0.2
    assert client.get(URL, headers=auth(Role.OPS)).status_code == 401


def _caller(key_id: str, role: Role) -> Caller:
    return Caller(role, key_id, f"key:{key_id}", key_id)


def test_a_verification_that_raced_a_revocation_is_not_remembered():
    cache = KeyCache(now=lambda: 0.0)
    before = cache.generation
    cache.forget("k1")  # the revocation commits while the read is in flight
    cache.put(b"digest", _caller("k1", Role.ADMIN), before)
    assert cache.get(b"digest") is None
    cache.put(b"digest", _caller("k1", Role.ADMIN), cache.generation)
    assert cache.get(b"digest") == _caller("k1", Role.ADMIN)


def test_the_cache_is_bounded_and_lets_the_oldest_key_go_first():
    cache = KeyCache(now=lambda: 0.0, limit=2)
    for i in range(3):
        cache.put(bytes([i]), _caller(f"k{i}", Role.VIEWER), cache.generation)
    assert cache.get(bytes([0])) is None and cache.get(bytes([2])) == _caller("k2", Role.VIEWER)


def test_a_token_not_shaped_like_a_key_is_refused_without_a_read(world, key_reads):
    for token in ("nonsense", "ordo_", "ordo__x", "x" * 5000):
        with pytest.raises(Unauthenticated):
            keys.cached(world, token)
    assert key_reads == []
