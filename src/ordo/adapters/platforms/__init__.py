"""The platforms' open APIs as Ordo calls them: signing, the order list / increment call,
shipment confirmation, stock updates, and the carrier → logistics company table.

One module per platform (``top``, ``jd``, ``pinduoduo``, ``douyin``, ``kuaishou``,
``wechat_channels``, ``youzan``, ``xiaohongshu``) builds its requests and reads its answers;
:mod:`.client` sends them. Pure request building and answer reading around one
``httpx.Client``; no store, no clock (the caller passes the time to sign with). The local
emulator in :mod:`ordo.sim.platforms` speaks the same protocol, so tests and
``ordo bench pull`` never reach the internet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

from ordo.adapters.platforms.client import (
    MAX_WINDOW_S,
    PLATFORMS,
    SPLITS,
    STOCK_PLATFORMS,
    Credentials,
    Page,
    PlatformClient,
    PlatformError,
)


def logistics_companies() -> Mapping[str, Mapping[str, str]]:
    """platform → (Ordo carrier id → the platform's logistics company id), read from the
    shipped ``logistics.json`` (callers keep the answer; it is not cached here)."""
    text = resources.files(__package__).joinpath("logistics.json").read_text("utf-8")
    data = json.loads(text)
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in data.items() if not k.startswith("_")})


__all__ = [
    "MAX_WINDOW_S",
    "PLATFORMS",
    "SPLITS",
    "STOCK_PLATFORMS",
    "Credentials",
    "Page",
    "PlatformClient",
    "PlatformError",
    "logistics_companies",
]
