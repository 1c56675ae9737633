"""Ordo's optional parts (the extras of ``pip install 'ordo[...]'``) and the one message a
missing one gives.

Owns the table of extras (the same names as ``[project.optional-dependencies]`` in
pyproject.toml), :func:`available`, which looks for an extra's modules without importing
them, and :func:`require` / :func:`missing`, which give :class:`MissingExtra`: an
``ImportError`` whose bilingual message names the extra to install. Every place that
imports an optional package goes through it::

    try:
        import paho.mqtt.client as mqtt
    except ModuleNotFoundError as e:
        raise missing("mqtt") from e

The CLI prints that message alone (no traceback). Serving the API and ``ordo demo`` need
no extra: nothing on their import path imports an optional package at module level.
This module imports the standard library only, so any layer may use it; it never
imports an optional package itself and never installs anything.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = ["EXTRAS", "Extra", "ExtraName", "MissingExtra", "available", "missing", "require"]

ExtraName = Literal["nats", "mqtt", "optimise", "columnar"]


@dataclass(frozen=True, slots=True)
class Extra:
    name: ExtraName
    modules: tuple[str, ...]  # top-level import names that must all be present
    purpose_en: str
    purpose_zh: str

    @property
    def install(self) -> str:
        return f"pip install 'ordo[{self.name}]'"


EXTRAS: MappingProxyType[ExtraName, Extra] = MappingProxyType(
    {
        e.name: e
        for e in (
            Extra("nats", ("nats",), "events out to NATS JetStream (nats-py)", "事件发布到 NATS JetStream"),
            Extra("mqtt", ("paho",), "events out to MQTT (paho-mqtt)", "事件发布到 MQTT"),
            Extra(
                "optimise",
                ("ortools",),
                "the batch routing optimiser (OR-Tools)",
                "批量路由优化器 OR-Tools",
            ),
            Extra(
                "columnar",
                ("connectorx", "pyarrow"),
                "fast columnar reads for backtests (ConnectorX, pyarrow)",
                "回测的列式快速读取：ConnectorX、pyarrow",
            ),
        )
    }
)


class MissingExtra(ImportError):
    """An optional part was asked for but its extra is not installed."""

    def __init__(self, extra: Extra) -> None:
        super().__init__(
            f"The optional extra ordo[{extra.name}] is not installed: it brings {extra.purpose_en}. "
            f"Install it with: {extra.install} / 未安装可选组件 ordo[{extra.name}]（{extra.purpose_zh}），"
            f"请安装：{extra.install}",
            name=extra.modules[0],
        )
        self.extra = extra


def available(name: ExtraName) -> bool:
    """Whether every module of the extra can be imported (found, not imported)."""
    return all(importlib.util.find_spec(m) is not None for m in EXTRAS[name].modules)


def missing(name: ExtraName) -> MissingExtra:
    """The error to raise where importing the extra's package failed."""
    return MissingExtra(EXTRAS[name])


def require(name: ExtraName) -> None:
    """Fail early, with the bilingual message, when the extra is not installed."""
    if not available(name):
        raise missing(name)
