"""Wiring: the one place that builds Ordo's live objects (cf. cosmicpython's bootstrap).

Tests build the same ``Ordo`` with a ManualClock and a temporary database.
Nothing live is created at import time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ordo.adapters.geo import Divisions, load_divisions
from ordo.adapters.store import Store, open_store
from ordo.clock import Clock, SystemClock
from ordo.config import IdentityConfig, Settings
from ordo.domain.errors import StoreConflict
from ordo.ids import IdFactory
from ordo.service.channels.cache import ChannelCache
from ordo.service.events.notify import Notifier

T = TypeVar("T")


@dataclass
class Ordo:
    store: Store
    clock: Clock
    ids: IdFactory
    divisions: Divisions
    notifier: Notifier = field(default_factory=Notifier)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    #: SKU map, SKU flags and webhook secrets, so a webhook needs no extra reads.
    channel_cache: ChannelCache = field(default_factory=ChannelCache)
    max_retries: int = 8

    def retrying(self, work: Callable[[], T]) -> T:
        """Run a transaction, again if it lost a race (deadlock, busy, unique race)."""
        for attempt in range(self.max_retries):
            try:
                return work()
            except StoreConflict:
                if attempt == self.max_retries - 1:
                    raise
                time.sleep(min(0.2, 0.002 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    rng: random.Random | None = None,
    migrate: bool = True,
) -> Ordo:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    store = store or open_store(settings.database_url, migrate=migrate)
    identity = IdentityConfig(settings.identity_pepper.encode(), settings.merge_window_s)
    return Ordo(
        store=store, clock=clock, ids=IdFactory(clock, rng), divisions=load_divisions(), identity=identity
    )
