"""Shared set-up for the pull and write-back tests: emulated shops and Ordo shops for them."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from ordo.adapters.platforms import PlatformClient
from ordo.clock import NS_PER_S, ManualClock
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms import EmulatedShop, register_shops
from tests.conftest import SKUS, T0

T0_S = T0 // NS_PER_S
#: The tiny world's SKUs, priced, as the emulator sells them.
EMULATED_SKUS = [(s.sku, s.price_fen, s.name) for s in SKUS if s.sku in ("SKU-TEA", "SKU-CUP", "SKU-GAS")]


class SteppingClock(ManualClock):
    """A manual clock whose sleeps pass (a retry's backoff moves emulated time on)."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.advance(seconds)


def shops(
    channels: Sequence[str], orders: int, *, per_second: int = 10, start_s: int = T0_S - 600
) -> list[EmulatedShop]:
    return [
        EmulatedShop(
            f"{ch}-{n}",
            ch,
            f"key-{ch}",
            f"secret-{ch}-{n}-0123456789",
            f"session-{ch}-{n}",
            orders=orders,
            start_s=start_s,
            per_second=per_second,
            seed=n,
        )
        for n, ch in enumerate(channels)
    ]


def register(app: Ordo, emulated: Sequence[EmulatedShop], url: str) -> None:
    register_shops(app, emulated, url)


def client() -> PlatformClient:
    return PlatformClient(httpx.Client(timeout=10.0))
