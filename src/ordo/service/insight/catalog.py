"""The metrics layer as data (``metrics.toml``): each metric's names, the words people use for
it, its definition in both languages and its aggregate over the ``analytics_orders`` view;
the dimensions a question can group by. One definition for the API, the CLI, the page and
the chat bot."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from ordo.service.ports.insight import DIMENSION_COLUMNS, TIME_COLUMNS

Kind = Literal["ratio", "fen", "count", "hours"]


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    zh: str
    en: str
    aliases: tuple[str, ...]
    kind: Kind
    time: str
    numerator: str
    denominator: str | None
    zh_def: str
    en_def: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.key,
            "zh": self.zh,
            "en": self.en,
            "kind": self.kind,
            "definition": {"zh": self.zh_def, "en": self.en_def},
            "numerator": self.numerator,
            "denominator": self.denominator,
            "time_column": self.time,
        }


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    zh: str
    en: str
    column: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    metrics: dict[str, Metric]
    dimensions: dict[str, Dimension]


def parse_catalog(text: str) -> Catalog:
    """A catalog from TOML text; refuses a metric or dimension the view cannot answer."""
    data = tomllib.loads(text)
    metrics: dict[str, Metric] = {}
    for key, m in data.get("metrics", {}).items():
        if m["time"] not in TIME_COLUMNS:
            raise ValueError(f"metric {key}: time {m['time']!r} is not one of {sorted(TIME_COLUMNS)}")
        if m["kind"] not in ("ratio", "fen", "count", "hours"):
            raise ValueError(f"metric {key}: unknown kind {m['kind']!r}")
        metrics[key] = Metric(
            key=key,
            zh=m["zh"],
            en=m["en"],
            aliases=tuple(a.lower() for a in m["aliases"]),
            kind=m["kind"],
            time=m["time"],
            numerator=m["numerator"],
            denominator=m.get("denominator"),
            zh_def=m["zh_def"],
            en_def=m["en_def"],
        )
    dimensions: dict[str, Dimension] = {}
    for key, d in data.get("dimensions", {}).items():
        if d["column"] not in DIMENSION_COLUMNS:
            raise ValueError(
                f"dimension {key}: column {d['column']!r} is not one of {sorted(DIMENSION_COLUMNS)}"
            )
        dimensions[key] = Dimension(
            key, d["zh"], d["en"], d["column"], tuple(a.lower() for a in d["aliases"])
        )
    return Catalog(metrics, dimensions)


@functools.cache
def default_catalog() -> Catalog:
    """The metrics shipped with Ordo (``ordo/service/insight/metrics.toml``)."""
    return parse_catalog(resources.files("ordo.service.insight").joinpath("metrics.toml").read_text("utf-8"))
