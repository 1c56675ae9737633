"""The ``Ordo`` object: everything live that a use case runs on, in one typed place.

One ``Ordo`` owns its store, clock, random source, id factory, the division registry,
every in-process cache (:class:`Caches`) and every background job
(:class:`ordo.service.runtime.background.Background`). :func:`ordo.bootstrap.bootstrap`
builds it — the server, each API worker, the CLI, the simulator, the demo and the tests
alike — and nothing else does. Service functions take it as their first argument.

Nothing here is created at import time, and no module of ``ordo`` keeps live state of its
own: a cache that outlives one call lives on the Ordo that filled it (a test checks it,
``tests/unit/test_no_module_state.py``). Two Ordos over one database share nothing but
the database.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from ordo.adapters.channels import REGISTRY, ChannelRegistry
from ordo.adapters.geo import Divisions
from ordo.adapters.store import Store
from ordo.clock import Clock, SystemClock
from ordo.config import IdentityConfig, Settings
from ordo.domain.errors import StoreConflict
from ordo.ids import IdFactory
from ordo.service.channels.cache import ChannelCache
from ordo.service.events.notify import Notifier
from ordo.service.runtime.retry import TRANSACTIONS, RetryPolicy

if TYPE_CHECKING:
    from ordo.service.events.subscriptions import SubscriptionChanges
    from ordo.service.routing.context import RoutingCache
    from ordo.service.rules.freezes import FreezeCache
    from ordo.service.rules.rulebook import RuleBook
    from ordo.service.runtime.background import Background
    from ordo.service.runtime.keys import KeyCache

T = TypeVar("T")


@dataclass(slots=True, eq=False)
class Caches:
    """What this process remembers of one store, so a request does no read it need not do.

    Each cache says in its own module how it learns of changes made elsewhere.
    """

    #: The catalog as the router sees it, today's capacity left, warehouse listings by digest.
    routing: RoutingCache
    #: The live rule sets (active and canary), parsed and compiled.
    rulebook: RuleBook
    #: API keys verified lately (a TTL cache).
    keys: KeyCache
    #: How often this process changed subscriptions (the delivery gate looks again).
    subscriptions: SubscriptionChanges
    #: Permissions frozen by rules, as last read (a short TTL; ``ordo.service.rules.freezes``).
    freezes: FreezeCache


@dataclass(eq=False)
class Ordo:
    settings: Settings
    store: Store
    clock: Clock
    #: Jitter of every retry (and ids, when seeded); seeded in tests.
    rng: random.Random
    ids: IdFactory
    divisions: Divisions
    caches: Caches
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    notifier: Notifier = field(default_factory=Notifier)
    #: SKU map, SKU flags and webhook secrets, so a webhook needs no extra reads.
    channel_cache: ChannelCache = field(default_factory=ChannelCache)
    #: The channels known: the shipped ones and those of ``settings.channel_specs_dir``.
    channels: ChannelRegistry = REGISTRY
    #: How a transaction that lost a race is run again (:meth:`retrying`).
    retry: RetryPolicy = TRANSACTIONS
    #: Wall time, for security checks only (webhook signature windows): a sender signs with
    #: its own real clock, whatever speed ``clock`` (business time) runs at in a demo.
    wall: Clock = field(default_factory=SystemClock)
    #: The threads beside a server: scan, projector, outbound delivery and relays. Set by
    #: :func:`ordo.bootstrap.bootstrap` (it needs the Ordo it serves).
    background: Background = field(init=False, repr=False)

    def retrying(self, work: Callable[[], T]) -> T:
        """Run a transaction, again if it lost a race (deadlock, busy, unique race).

        The backoff sleeps on the injected clock and draws its jitter from ``rng``.
        """
        return self.retry.call(work, StoreConflict, sleep=self.clock.sleep, rng=self.rng)
