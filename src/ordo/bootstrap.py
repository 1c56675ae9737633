"""The one place that builds Ordo's live objects (cf. cosmicpython's ``bootstrap.py``).

:func:`bootstrap` returns an :class:`~ordo.service.runtime.app.Ordo` that owns the store,
the clock, the random source, every in-process cache and every background job. The
server (``ordo serve`` and each of its API workers), the CLI, the simulator, the demo,
the benchmarks and the tests all come in through here; tests hand in a ``ManualClock``,
a seeded ``random.Random`` and a temporary database. Importing this module creates
nothing: only calling :func:`bootstrap` does.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from ordo.adapters.channels import channel_registry
from ordo.adapters.geo import load_divisions
from ordo.adapters.store import Store, open_store
from ordo.clock import Clock, SystemClock
from ordo.config import IdentityConfig, Settings
from ordo.domain.routing import SplitRules
from ordo.ids import IdFactory
from ordo.service.events.subscriptions import SubscriptionChanges
from ordo.service.routing.context import RoutingCache
from ordo.service.rules.freezes import FreezeCache
from ordo.service.rules.rulebook import RuleBook
from ordo.service.runtime.app import Caches, Ordo
from ordo.service.runtime.background import Background
from ordo.service.runtime.keys import KeyCache

__all__ = ["bootstrap"]


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    rng: random.Random | None = None,
    migrate: bool = True,
) -> Ordo:
    """An Ordo on ``settings`` (default: from ``ORDO_*``), its schema migrated unless told not to.

    ``rng`` seeds order ids and retry jitter (tests pass a seeded one); without it ids come
    from ``secrets`` and jitter from a fresh ``random.Random``. Background jobs are built
    but not started: ``ordo.background.start()``.
    """
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    store = store or open_store(settings.database_url, migrate=migrate)
    divisions = load_divisions()
    caches = Caches(
        routing=RoutingCache(
            frozenset(p.name for p in divisions.provinces()),
            SplitRules(quantity_split=settings.quantity_split, min_units=settings.split_min_units),
        ),
        rulebook=RuleBook(store),
        keys=KeyCache(),
        subscriptions=SubscriptionChanges(),
        freezes=FreezeCache(),
    )
    ordo = Ordo(
        settings=settings,
        store=store,
        clock=clock,
        rng=rng or random.Random(),
        ids=IdFactory(clock, rng),
        divisions=divisions,
        caches=caches,
        identity=IdentityConfig(settings.identity_pepper.encode(), settings.merge_window_s),
        channels=channel_registry(
            tuple(Path(d) for d in settings.channel_specs_dir.split(os.pathsep) if d.strip())
        ),
    )
    ordo.background = Background(ordo)
    # A commit in this process may have frozen a permission (intake): read the freezes again
    # before the next request that needs one (other processes: within the cache's TTL).
    ordo.notifier.subscribe(caches.freezes.invalidate)
    return ordo
