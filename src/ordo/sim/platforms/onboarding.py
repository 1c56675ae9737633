"""Emulated shops made Ordo's shops: one credential row each, pointed at the emulator."""

from __future__ import annotations

from collections.abc import Sequence

from ordo.service.channels.shops import add_shop
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms.emulator import EmulatedShop


def register_shops(app: Ordo, shops: Sequence[EmulatedShop], endpoint: str) -> None:
    """Add each emulated shop to Ordo with its own key, secret and session, at ``endpoint``."""
    for s in shops:
        add_shop(
            app,
            shop_id=s.shop_id,
            channel=s.channel,
            app_key=s.app_key,
            app_secret=s.app_secret,
            session=s.session,
            endpoint=endpoint,
        )
