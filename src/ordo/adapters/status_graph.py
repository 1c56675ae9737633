"""Loading the status graph: the YAML shipped with Ordo, or ``ORDO_STATUS_GRAPH=path``.

Reads a file and hands the plain mapping to the pure compiler in
``ordo.domain.orders.status_graph``; it never interprets the graph itself. The default
graph is compiled once per process (it is immutable).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml

from ordo.domain.orders.status_graph import GraphError, StatusGraph, compile_graph

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "domain" / "orders" / "status_graph.yaml"
ENV = "ORDO_STATUS_GRAPH"


def graph_path(env: dict[str, str] | None = None) -> Path:
    e = os.environ if env is None else env
    return Path(e[ENV]) if e.get(ENV) else DEFAULT_PATH


def read_graph(path: Path, extra_dirs: tuple[Path, ...] = ()) -> StatusGraph:
    """Compile one YAML file; a bad file is a GraphError naming the file and the place."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GraphError(str(path), f"cannot read the status graph / 无法读取状态图: {exc}") from exc
    return compile_graph(with_mapped_channels(data if data is not None else {}, extra_dirs))


def with_mapped_channels(data: dict[str, Any], extra_dirs: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The graph's data with the vocabulary of every channel described by a mapping file
    (``adapters/channels/specs``, and the directories ``extra_dirs`` of
    ``ORDO_CHANNEL_SPECS_DIR``) as a source, unless the file already names that source:
    a platform added as data needs no second copy of its status words here."""
    from ordo.adapters.channels.declarative import load_specs

    if not isinstance(data, dict) or not isinstance(data.get("sources", {}), dict):
        return data  # the compiler says what is wrong with it
    sources = dict(data.get("sources") or {})
    mapped = [a for d in (None, *extra_dirs) for a in (load_specs() if d is None else load_specs(d))]
    for adapter in mapped:
        if adapter.channel in sources:
            continue
        zh, _, en = adapter.title.partition(" / ")
        sources[adapter.channel] = {
            "kind": "channel",
            "label": {"en": en or adapter.channel, "zh": zh or adapter.channel},
            "codes": {code: [m.value for m in steps] for code, steps in adapter.statuses.items()},
        }
    return {**data, "sources": sources}


@functools.cache
def _cached(path: str, mtime_ns: int, extra: tuple[tuple[str, int], ...] = ()) -> StatusGraph:
    dirs = tuple(dict.fromkeys(Path(p).parent for p, _ in extra))
    return read_graph(Path(path), dirs)


def load_graph(env: dict[str, str] | None = None, extra_dirs: tuple[Path, ...] = ()) -> StatusGraph:
    """The graph in force: cached per file and modification time (and those of the mapping
    files in ``extra_dirs``, whose channels' statuses it takes in too)."""
    path = graph_path(env)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise GraphError(str(path), f"no such status graph file / 状态图文件不存在: {exc}") from exc
    extra = tuple(
        (str(p), p.stat().st_mtime_ns)
        for d in extra_dirs
        for p in sorted(d.glob("*.toml"))
        if p.name != "aliases.toml"
    )
    return _cached(str(path), mtime, extra)
