"""Leases: which node runs a background duty (see :mod:`ordo.adapters.store.leases`)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Protocol

#: Seconds a ``hold(wait_s=…)`` waits between attempts.
RETRY_S = 0.2


class Leases(Protocol):
    """What a duty needs: hold a named lease, know it still holds it, give it back."""

    node: str

    def try_acquire(self, name: str) -> bool:
        """True when this node holds ``name`` now (acquired now or already held and alive)."""
        ...

    def release(self, name: str) -> None: ...

    def held(self) -> frozenset[str]: ...

    def nodes(self) -> int:
        """How many nodes take part in leasing on this database now (at least 1)."""
        ...

    def close(self) -> None: ...


@contextlib.contextmanager
def hold(leases: Leases, name: str, *, wait_s: float = 0.0) -> Iterator[bool]:
    """Hold ``name`` for the block (waiting up to ``wait_s``); yields whether it is held.
    Released at the end of the block if this call acquired it."""
    had = name in leases.held()
    got = leases.try_acquire(name)
    waited = threading.Event()
    remaining = wait_s
    while not got and remaining > 0:
        waited.wait(min(RETRY_S, remaining))
        remaining -= RETRY_S
        got = leases.try_acquire(name)
    try:
        yield got
    finally:
        if got and not had:
            leases.release(name)
