"""The channels Ordo knows: the Python adapters, the mapping files shipped in ``specs/``,
and the mapping files of any extra directory (``ORDO_CHANNEL_SPECS_DIR``).

Built once, at bootstrap (:func:`build_registry`), and held by the Ordo object, so adding
a platform is adding a TOML file — its name, aliases, statuses and its label (``title =
"中文名 / English name"``) all come from the file; no Python list names it. The domain is
handed the set of names (:attr:`ChannelRegistry.names`) to validate against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ordo.adapters.channels.base import ChannelAdapter
from ordo.adapters.channels.declarative import SpecError, load_aliases, load_specs, normalise_name

#: Channels that need no adapter: orders handed to Ordo's own API as canonical orders.
DIRECT = frozenset({"api"})


@dataclass(frozen=True, eq=False)
class ChannelRegistry:
    #: Canonical channel name → its adapter.
    adapters: Mapping[str, ChannelAdapter]
    #: Every name a user may type (normalised) → the canonical channel name.
    aliases: Mapping[str, str]

    @property
    def names(self) -> frozenset[str]:
        """Every channel an order may come from: each adapter's, and :data:`DIRECT`."""
        return frozenset(self.adapters) | DIRECT

    def name(self, name: str) -> str:
        """The canonical channel ``name`` stands for (an alias or itself); unknown: as given."""
        if name in self.adapters:
            return name
        return self.aliases.get(normalise_name(name)) or name

    def get(self, name: str) -> ChannelAdapter | None:
        return self.adapters.get(self.name(name))

    def label(self, channel: str) -> dict[str, str]:
        """The channel's name in both languages, from its mapping file's ``title``
        (``"有赞 / Youzan"``); the canonical name where a channel has none."""
        title = str(getattr(self.adapters.get(channel), "title", "") or "")
        zh, sep, en = title.partition(" / ")
        return {"zh": zh.strip() or channel, "en": (en if sep else zh).strip() or channel}


def build_registry(builtin: Mapping[str, ChannelAdapter], extra_dirs: Sequence[Path] = ()) -> ChannelRegistry:
    """The built-in channels plus every mapping file in ``extra_dirs``. A file naming a
    channel that exists already, or an alias another channel holds, is a SpecError."""
    adapters = dict(builtin)
    for directory in extra_dirs:
        if not directory.is_dir():
            raise SpecError(f"{directory}: no such directory of mapping files / 映射文件目录不存在")
        for adapter in load_specs(directory):
            if adapter.channel in adapters:
                name = adapter.channel
                raise SpecError(f"{directory}: channel {name!r} is defined twice / 渠道「{name}」重复定义")
            adapters[adapter.channel] = adapter
    aliases = load_aliases(tuple(adapters.values()))
    return ChannelRegistry(MappingProxyType(adapters), MappingProxyType(dict(aliases)))
