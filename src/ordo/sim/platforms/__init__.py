"""A local emulator of the platforms' open APIs: part of the simulated world.

:class:`Emulator` holds the shops and answers requests as Taobao/Tmall (TOP), JD,
Pinduoduo, Douyin, Kuaishou, WeChat Channels (视频号小店), Youzan and Xiaohongshu do —
their list / increment calls with paging, their signatures
checked, their rate-limit and server errors in each platform's own error shape, their
shipment confirmations and stock updates — over orders it generates deterministically
per shop from a seed. :class:`EmulatorServer` serves it over HTTP on 127.0.0.1.
Tests, ``ordo bench pull`` and ``ordo bench writeback`` use it; nothing reaches the
internet.
"""

from ordo.sim.platforms.emulator import EmulatedShop, Emulator
from ordo.sim.platforms.onboarding import register_shops
from ordo.sim.platforms.server import EmulatorServer

__all__ = ["EmulatedShop", "Emulator", "EmulatorServer", "register_shops"]
