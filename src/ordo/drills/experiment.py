"""A drill scenario as a file: the Chaos Toolkit experiment format (JSON), read and checked.

The fields are Chaos Toolkit's (https://chaostoolkit.org/reference/api/experiment/):
``title``, ``description``, ``tags``, ``configuration``, ``steady-state-hypothesis``
(``title`` and ``probes``, each with a ``tolerance``), ``method`` (actions and probes,
each with optional ``pauses`` ``{"before": s, "after": s}``) and ``rollbacks``. An
activity's ``provider`` is ``{"type": "python", "module": …, "func": …, "arguments": {…}}``.

What differs, on purpose: ``module`` must be one of Ordo's drill modules and ``func`` a
name in its registry (``ordo.drills.registry``), because a drill's functions act on the
running Ordo the drill started (passed in), and a scenario file must never import
arbitrary code. ``configuration`` holds how that Ordo is started (``workers``,
``broker``, ``proxy``, ``clock``) and the load (``rate_per_s``, ``warmup_s``).

Tolerances, as Chaos Toolkit's: ``true``/``false`` (the value must equal it), a number
(equal), ``[low, high]`` or ``{"type": "range", "range": [low, high]}`` (inclusive).

A scenario may declare a shorter CI run in Chaos Toolkit's ``extensions`` list: an entry
``{"name": "ci", "configuration": {...}, "why": "..."}`` whose values replace the
configuration's when the drill runs in CI (``ordo drill --ci``; the library's tests). Only
keys the configuration already has may be replaced, so a typo cannot pass unnoticed, and
the journal records which profile and configuration ran.
This module only reads and judges; it runs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where the shipped scenario library lives.
LIBRARY = Path(__file__).resolve().parent / "scenarios"


class ScenarioError(ValueError):
    """A scenario file that is not a valid experiment; the message names the field."""


@dataclass(frozen=True, slots=True)
class Activity:
    type: str  # "action" or "probe"
    name: str
    module: str
    func: str
    arguments: Mapping[str, Any]
    tolerance: Any = None
    pause_before_s: float = 0.0
    pause_after_s: float = 0.0

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "provider": {
                "type": "python",
                "module": self.module,
                "func": self.func,
                "arguments": dict(self.arguments),
            },
        }
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance
        if self.pause_before_s or self.pause_after_s:
            out["pauses"] = {"before": self.pause_before_s, "after": self.pause_after_s}
        return out


@dataclass(frozen=True, slots=True)
class Experiment:
    title: str
    description: str
    tags: tuple[str, ...]
    configuration: Mapping[str, Any]
    hypothesis_title: str
    hypothesis: tuple[Activity, ...]
    method: tuple[Activity, ...]
    rollbacks: tuple[Activity, ...] = ()
    source: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: Configuration values the CI profile replaces (the ``ci`` extension; empty: none).
    ci: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.source).stem if self.source else self.title

    def configured(self, *, ci: bool) -> Mapping[str, Any]:
        """The configuration the drill runs with: CI's shorter values laid over, when ``ci``."""
        return {**self.configuration, **self.ci} if ci else dict(self.configuration)


def within(tolerance: Any, value: Any) -> bool:
    """Does ``value`` meet ``tolerance`` (Chaos Toolkit's rules, see the module doc)?"""
    if isinstance(tolerance, bool):
        return value is tolerance or value == tolerance
    if isinstance(tolerance, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool) and value == tolerance
    if isinstance(tolerance, Mapping) and tolerance.get("type") == "range":
        tolerance = tolerance.get("range")
    if isinstance(tolerance, list) and len(tolerance) == 2:
        low, high = tolerance
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return (low is None or value >= low) and (high is None or value <= high)
    raise ScenarioError(f"tolerance {tolerance!r} is not a bool, a number or a range")


def _activity(raw: Any, where: str, *, probe_only: bool = False) -> Activity:
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"{where}: an activity must be an object")
    kind = raw.get("type")
    if kind not in ("action", "probe") or (probe_only and kind != "probe"):
        raise ScenarioError(f"{where}.type: expected {'probe' if probe_only else 'action or probe'}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{where}.name: required")
    provider = raw.get("provider")
    if not isinstance(provider, Mapping) or provider.get("type") != "python":
        raise ScenarioError(f"{where}.provider: a python provider is required")
    module, func = provider.get("module"), provider.get("func")
    if not isinstance(module, str) or not isinstance(func, str):
        raise ScenarioError(f"{where}.provider: module and func are required")
    arguments = provider.get("arguments", {})
    if not isinstance(arguments, Mapping):
        raise ScenarioError(f"{where}.provider.arguments: must be an object")
    if kind == "probe" and probe_only and "tolerance" not in raw:
        raise ScenarioError(f"{where}.tolerance: a hypothesis probe needs one")
    pauses = raw.get("pauses", {})
    if not isinstance(pauses, Mapping):
        raise ScenarioError(f"{where}.pauses: must be an object")
    if "tolerance" in raw:
        within(raw["tolerance"], 0)  # rejects a malformed tolerance now, not mid-drill
    return Activity(
        type=kind,
        name=name,
        module=module,
        func=func,
        arguments=dict(arguments),
        tolerance=raw.get("tolerance"),
        pause_before_s=float(pauses.get("before", 0)),
        pause_after_s=float(pauses.get("after", 0)),
    )


def parse(raw: Any, source: str = "") -> Experiment:
    """An :class:`Experiment` from a decoded JSON document, or :class:`ScenarioError`."""
    if not isinstance(raw, Mapping):
        raise ScenarioError("an experiment must be a JSON object")
    title = raw.get("title")
    if not isinstance(title, str) or not title:
        raise ScenarioError("title: required")
    ssh = raw.get("steady-state-hypothesis")
    if not isinstance(ssh, Mapping) or not isinstance(ssh.get("probes"), list) or not ssh["probes"]:
        raise ScenarioError("steady-state-hypothesis.probes: at least one probe is required")
    method = raw.get("method")
    if not isinstance(method, list) or not method:
        raise ScenarioError("method: at least one activity is required")
    rollbacks = raw.get("rollbacks", [])
    if not isinstance(rollbacks, list):
        raise ScenarioError("rollbacks: must be a list")
    configuration = raw.get("configuration", {})
    if not isinstance(configuration, Mapping):
        raise ScenarioError("configuration: must be an object")
    ci = _ci_profile(raw.get("extensions", []), configuration)
    return Experiment(
        title=title,
        description=str(raw.get("description", "")),
        tags=tuple(str(t) for t in raw.get("tags", [])),
        configuration=dict(configuration),
        hypothesis_title=str(ssh.get("title", "")),
        hypothesis=tuple(
            _activity(p, f"steady-state-hypothesis.probes[{i}]", probe_only=True)
            for i, p in enumerate(ssh["probes"])
        ),
        method=tuple(_activity(a, f"method[{i}]") for i, a in enumerate(method)),
        rollbacks=tuple(_activity(a, f"rollbacks[{i}]") for i, a in enumerate(rollbacks)),
        source=source,
        raw=raw,
        ci=ci,
    )


def _ci_profile(extensions: Any, configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ci`` extension's configuration (see the module doc); {} when there is none."""
    if not isinstance(extensions, list):
        raise ScenarioError("extensions: must be a list")
    out: dict[str, Any] = {}
    for i, ext in enumerate(extensions):
        if not isinstance(ext, Mapping) or not isinstance(ext.get("name"), str):
            raise ScenarioError(f"extensions[{i}].name: required")
        if ext["name"] != "ci":
            continue  # another tool's extension: not ours to read
        values = ext.get("configuration")
        if not isinstance(values, Mapping) or not values:
            raise ScenarioError(f"extensions[{i}].configuration: the values CI runs with")
        unknown = sorted(set(values) - set(configuration))
        if unknown:
            raise ScenarioError(
                f"extensions[{i}].configuration.{unknown[0]}: not in the scenario's configuration"
            )
        out.update(values)
    return out


def load(path: Path) -> Experiment:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path.name}: not JSON ({exc})") from None
    return parse(raw, str(path))


def library() -> list[Path]:
    """The shipped scenarios, by file name."""
    return sorted(LIBRARY.glob("*.json"))


def find(name: str) -> Path:
    """A scenario by path, or by name in the library (``kill-server`` → scenarios/kill-server.json)."""
    path = Path(name)
    if path.suffix == ".json" and path.exists():
        return path
    candidate = LIBRARY / f"{name.removesuffix('.json')}.json"
    if candidate.exists():
        return candidate
    known = ", ".join(p.stem for p in library())
    raise ScenarioError(f"no scenario {name!r} / 没有该演练场景 (known: {known})")
