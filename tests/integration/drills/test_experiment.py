"""The scenario format (Chaos Toolkit's experiment JSON) and the shipped library, without running Ordo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ordo.drills import Experiment, ScenarioError, find, library, load, parse
from ordo.drills.experiment import within
from ordo.drills.runner import REGISTRY, resolve

PROBE = {
    "type": "probe",
    "name": "p",
    "tolerance": True,
    "provider": {"type": "python", "module": "ordo.drills.probes", "func": "server_answers"},
}
ACTION = {
    "type": "action",
    "name": "a",
    "provider": {"type": "python", "module": "ordo.drills.faults_process", "func": "kill_server"},
}


def experiment(**over: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "title": "t",
        "steady-state-hypothesis": {"title": "h", "probes": [PROBE]},
        "method": [ACTION],
    }
    doc.update(over)
    return doc


def test_the_library_holds_at_least_17_kinds_of_disturbance_each_resolvable() -> None:
    experiments = [load(p) for p in library()]
    assert len(experiments) >= 17
    for exp in experiments:
        for a in (*exp.hypothesis, *exp.method, *exp.rollbacks):
            assert callable(resolve(a)), f"{exp.name}: {a.name}"
    tags = {t for e in experiments for t in e.tags}
    assert {"business", "technical"} <= tags


def test_each_scenario_checks_lost_and_doubled_orders_in_its_hypothesis() -> None:
    for exp in (load(p) for p in library()):
        funcs = {p.func for p in exp.hypothesis}
        assert {"lost_acknowledged_orders", "duplicated_orders"} <= funcs, exp.name


def test_tolerances_follow_chaos_toolkit() -> None:
    assert within(True, True) and not within(True, False)
    assert within(0, 0) and not within(0, 1) and not within(0, False)
    assert within([1, 2], 1.5) and not within([1, 2], 2.5)
    assert within({"type": "range", "range": [0, 10]}, 10)
    assert within([0.7, None], 40.0) and not within([0.7, None], 0.2)
    with pytest.raises(ScenarioError):
        within("yes", True)


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"title": ""}, "title"),
        ({"steady-state-hypothesis": {"probes": []}}, "steady-state-hypothesis.probes"),
        ({"method": []}, "method"),
        ({"method": [{**ACTION, "provider": {"type": "process", "path": "rm"}}]}, "method[0].provider"),
        (
            {"steady-state-hypothesis": {"probes": [{k: v for k, v in PROBE.items() if k != "tolerance"}]}},
            "steady-state-hypothesis.probes[0].tolerance",
        ),
        ({"rollbacks": {}}, "rollbacks"),
    ],
)
def test_a_bad_scenario_is_refused_naming_the_field(doc: dict[str, object], field: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(field)):
        parse(experiment(**doc))


def test_a_function_outside_the_registry_is_never_called() -> None:
    exp = parse(
        experiment(method=[{**ACTION, "provider": {"type": "python", "module": "os", "func": "system"}}])
    )
    assert "os" not in REGISTRY
    with pytest.raises(LookupError, match=r"no drill function os\.system"):
        resolve(exp.method[0])


def test_scenarios_are_found_by_name_or_path(tmp_path: Path) -> None:
    assert find("kill-server").name == "kill-server.json"
    own = tmp_path / "mine.json"
    own.write_text(json.dumps(experiment()))
    assert load(find(str(own))).title == "t"
    with pytest.raises(ScenarioError, match="no scenario 'nope'"):
        find("nope")


def test_the_ci_extension_shortens_named_values_only() -> None:
    exp = parse(
        experiment(
            configuration={"outage_s": 60, "rate_per_s": 40},
            extensions=[{"name": "other-tool"}, {"name": "ci", "configuration": {"outage_s": 5}}],
        )
    )
    assert exp.ci == {"outage_s": 5}
    assert exp.configured(ci=True) == {"outage_s": 5, "rate_per_s": 40}
    assert exp.configured(ci=False) == {"outage_s": 60, "rate_per_s": 40}
    with pytest.raises(ScenarioError, match=re.escape("extensions[0].configuration.outage")):
        parse(
            experiment(
                configuration={"outage_s": 60}, extensions=[{"name": "ci", "configuration": {"outage": 5}}]
            )
        )
    with pytest.raises(ScenarioError, match=re.escape("extensions[0].configuration")):
        parse(experiment(extensions=[{"name": "ci"}]))


def test_the_long_outage_runs_full_length_outside_ci() -> None:
    broker = load(find("broker-down"))
    assert broker.configured(ci=False)["outage_s"] == 60
    assert broker.configured(ci=True)["outage_s"] == 5


def test_lanes_hold_every_drill_once_and_never_mix_servers() -> None:
    from ordo.drills.runner import lanes
    from ordo.drills.target import SERVER_KEYS

    exps = [load(p) for p in library()]

    def server(e: Experiment) -> tuple[object, ...]:
        needs = e.configuration.get("requires", [])
        return ("postgres" in needs, *(str(e.configuration.get(k)) for k in SERVER_KEYS))

    for parallel in (1, 2, 3, 4):
        plan = lanes(exps, "sqlite", parallel)
        assert sorted(i for lane in plan for i in lane) == list(range(len(exps)))
        for lane in plan:
            assert len({server(exps[i]) for i in lane}) == 1, [exps[i].name for i in lane]
    assert len(lanes(exps, "sqlite", 1)) == len({server(e) for e in exps})
    first = [exps[lane[0]].name for lane in lanes(exps, "sqlite", 3) if len(lane) > 1]
    assert all(
        name in {"typhoon-south-china", "city-lockdown", "warehouse-fire", "warehouse-power-outage"}
        for name in first
    )
