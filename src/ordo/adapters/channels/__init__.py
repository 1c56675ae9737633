"""Channel adapters: each platform's own order payload → Ordo's canonical order.

One module per channel, all following :class:`ChannelAdapter` (a ``channel`` name,
a ``statuses`` vocabulary and a pure ``parse``), or a mapping file in ``specs/``
compiled by :mod:`ordo.adapters.channels.declarative` (a channel as data);
:func:`to_canonical` is the one shared step after it (SKU mapping, address
resolution). :func:`canonical_channel` turns a name a user types (``淘宝``, ``pdd``,
``视频号``) into the channel's canonical name. Exceptions::

    Unmappable        the payload cannot become an order; .reasons names each field
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ordo.adapters.channels.b2b import B2bAdapter
from ordo.adapters.channels.base import ChannelAdapter, ChannelLine, ChannelOrder, RawAddress, is_masked
from ordo.adapters.channels.declarative import SpecError, load_aliases, load_specs, normalise_name
from ordo.adapters.channels.douyin import DouyinAdapter
from ordo.adapters.channels.jd import JdAdapter
from ordo.adapters.channels.kuaishou import KuaishouAdapter
from ordo.adapters.channels.mapping import Mapped, SkuLookup, to_canonical
from ordo.adapters.channels.pinduoduo import PinduoduoAdapter
from ordo.adapters.channels.pos import PosAdapter
from ordo.adapters.channels.registry import ChannelRegistry, build_registry
from ordo.adapters.channels.taobao import TopTradeAdapter
from ordo.adapters.channels.values import Reason, Unmappable, time_ns, yuan_to_fen
from ordo.adapters.channels.wechat import WechatAdapter

ADAPTERS: Mapping[str, ChannelAdapter] = {
    a.channel: a
    for a in (
        TopTradeAdapter("taobao"),
        TopTradeAdapter("tmall"),
        JdAdapter(),
        DouyinAdapter(),
        PinduoduoAdapter(),
        KuaishouAdapter(),
        WechatAdapter(),
        PosAdapter(),
        B2bAdapter(),
    )
} | {
    # Channels described by a mapping file (specs/*.toml), validated and compiled here, once.
    a.channel: a
    for a in load_specs()
}
#: Every name a user may type for a channel (normalised) → the canonical channel name.
ALIASES: Mapping[str, str] = load_aliases(tuple(ADAPTERS.values()))


def canonical_channel(name: str) -> str | None:
    """The canonical name of the channel ``name`` (an alias or the name itself), or None."""
    return ALIASES.get(normalise_name(name))


def channel_registry(extra_dirs: Sequence[Path] = ()) -> ChannelRegistry:
    """The shipped channels, plus the mapping files of ``extra_dirs`` (built at bootstrap)."""
    if not extra_dirs:
        return REGISTRY
    return build_registry(ADAPTERS, extra_dirs)


#: The shipped channels alone (Python adapters and ``specs/*.toml``).
REGISTRY = ChannelRegistry(ADAPTERS, ALIASES)


__all__ = [
    "ADAPTERS",
    "ALIASES",
    "REGISTRY",
    "ChannelAdapter",
    "ChannelLine",
    "ChannelOrder",
    "ChannelRegistry",
    "Mapped",
    "RawAddress",
    "Reason",
    "SkuLookup",
    "SpecError",
    "Unmappable",
    "canonical_channel",
    "channel_registry",
    "is_masked",
    "time_ns",
    "to_canonical",
    "yuan_to_fen",
]
