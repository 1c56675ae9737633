"""In-process caches of what every webhook reads: the SKU map, SKU flags, webhook secrets.

Without them a webhook costs extra reads before any work starts. Changes made in
this process (``set_sku_mapping``, ``set_secret``, ``save_catalog``) invalidate
at once; changes made by another process (the CLI, a second server) are seen
within :data:`TTL_S`. The one answer a cache may never give stale is "unmapped":
callers re-read the store before dead-lettering a payload for an unmapped SKU
(:meth:`ChannelCache.forget`), so a stale cache can delay a remapping, never lose
an order. Nothing here decides anything; it only remembers store answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from ordo.service.ports import Store

#: How long another process's change may go unseen here.
TTL_S = 5.0

SkuRef = tuple[str, frozenset[str]]
_MISSING = object()


class ChannelCache:
    def __init__(self, ttl_s: float = TTL_S, now: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_s
        self._now = now
        self._lock = threading.Lock()
        self._born = now()
        #: (channel, platform sku) → Ordo SKU it maps to (None: no row).
        self._map: dict[tuple[str, str], str | None] = {}
        #: SKU → flags (None: not in the catalogue).
        self._flags: dict[str, frozenset[str] | None] = {}
        self._secrets: dict[str, str | None] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._map.clear()
            self._flags.clear()
            self._secrets.clear()
            self._born = self._now()

    def _expire(self) -> None:
        # One generation for everything: simpler than per-entry times, and a refill is one read.
        if self._now() - self._born > self._ttl:
            self.invalidate()

    # -- secrets --------------------------------------------------------------
    def secret(self, store: Store, channel: str) -> str | None:
        self._expire()
        found = self._secrets.get(channel, _MISSING)
        if found is _MISSING:
            with store.uow(read_only=True) as uow:
                found = uow.channels.secret(channel)
            with self._lock:
                self._secrets[channel] = found
        return found  # type: ignore[return-value]

    # -- SKUs -----------------------------------------------------------------
    def sku_refs(self, store: Store, channel: str, candidates: Iterable[str]) -> dict[str, SkuRef]:
        """Platform SKU → (Ordo SKU, flags) for those of ``candidates`` that resolve."""
        self._expire()
        wanted = set(candidates)
        # Work on a private copy of the entries, so an invalidation halfway cannot mix answers.
        with self._lock:
            known = {c: self._map[(channel, c)] for c in wanted if (channel, c) in self._map}
            flags = {t: self._flags[t] for t in {known[c] or c for c in known} if t in self._flags}
        unknown = [c for c in wanted if c not in known]
        targets = {known[c] or c for c in known if (known[c] or c) not in flags}
        if unknown or targets:
            with store.uow(read_only=True) as uow:
                mapped = uow.channels.sku_map_for(channel, unknown) if unknown else {}
                known.update({c: mapped.get(c) for c in unknown})
                targets |= {mapped.get(c, c) for c in unknown}
                read = uow.channels.sku_flags(sorted(targets))
            flags.update({t: read.get(t) for t in targets})
            with self._lock:
                self._map.update({(channel, c): known[c] for c in unknown})
                self._flags.update({t: flags[t] for t in targets})
        out: dict[str, SkuRef] = {}
        for c in wanted:
            target = known[c] or c
            found = flags.get(target)
            if found is not None:
                out[c] = (target, found)
        return out

    def forget(self, channel: str, candidates: Sequence[str]) -> None:
        """Drop what is known about these platform SKUs (and what they map to), to read them again."""
        with self._lock:
            for c in candidates:
                target = self._map.pop((channel, c), None)
                self._flags.pop(c, None)
                if target is not None:
                    self._flags.pop(target, None)
