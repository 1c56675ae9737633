"""The status graph as data: the shipped YAML, vocabularies, conflict rules, lint."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml

from ordo.adapters.channels import douyin, jd, kuaishou, pinduoduo, pos, taobao, wechat
from ordo.adapters.status_graph import DEFAULT_PATH, load_graph
from ordo.domain.orders.milestones import (
    MILESTONES,
    SIDE_STATES,
    STATUS_GRAPH,
    Milestone,
    Status,
    derive_status,
)
from ordo.domain.orders.status_graph import GraphError, Known, compile_graph, find_conflict, parse_condition
from ordo.domain.orders.status_lint import lint

M = Milestone


def _default() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


def test_the_shipped_yaml_compiles_to_the_lifecycles_built_in_graph_with_the_same_ranks():
    graph = load_graph({})
    assert graph.conditions() == dict(STATUS_GRAPH)
    assert {r.status: r.rank for r in graph.statuses} == {s: s.rank for s in Status}
    assert graph.initial is Status.PENDING_PAYMENT


def test_the_compiled_graph_derives_the_same_status_as_the_lifecycle_for_many_step_sets():
    graph = load_graph({})
    steps = [*MILESTONES, *SIDE_STATES]
    for size in (0, 1, 2, 3):
        for combo in itertools.combinations(steps, size):
            assert graph.derive(set(combo)) is derive_status(combo)


def test_the_shipped_graph_passes_lint():
    assert lint(load_graph({})) == []


@pytest.mark.parametrize(
    ("source", "code", "milestones", "signal"),
    [
        ("wms", "PACKING", [M.PICKED, M.PACKED], None),
        ("WMS", "打包中", [M.PICKED, M.PACKED], None),
        ("sf", "揽收", [M.COLLECTED], None),
        ("zto", "COLLECTED", [M.COLLECTED], None),
        ("yto", "collected", [M.COLLECTED], None),
        ("ems", "PICKUP_FAILED", [], "pickup_failed"),
        ("crm", "已发货", [M.OUTBOUND], None),
        ("finance", "待收款", [], "payment_pending"),
        ("tms", "装车发运", [M.DEPARTED], None),
        ("tmall", "WAIT_SELLER_SEND_GOODS", [M.CREATED, M.PAID], None),
        ("douyin", "3", [M.CREATED, M.PAID, M.OUTBOUND], None),
    ],
)
def test_each_system_speaks_its_own_vocabulary(source, code, milestones, signal):
    tr = load_graph({}).translate(source, code)
    assert tr is not None
    assert list(tr.milestones) == milestones
    assert tr.signal == signal


def test_codes_and_systems_the_graph_does_not_know_translate_to_nothing():
    graph = load_graph({})
    assert graph.translate("wms", "DANCING") is None
    assert graph.translate("no_such_system", "PACKING") is None


@pytest.mark.parametrize("module", [taobao, jd, douyin, pinduoduo, kuaishou, wechat, pos])
def test_channel_vocabularies_agree_with_the_channel_adapters(module):
    graph = load_graph({})
    name = {"wechat": "wechat_mp"}.get(module.__name__.rsplit(".", 1)[1], module.__name__.rsplit(".", 1)[1])
    for code, steps in module.STATUSES.items():
        tr = graph.translate(name, code)
        assert tr is not None, (name, code)
        assert tr.milestones == tuple(steps), (name, code)


def test_a_condition_reads_and_or_in_symbols_english_or_chinese():
    c = parse_condition("paid ∧ (risk_checked ∨ reviewed)", "x")
    assert c.all_of == {M.PAID} and c.any_of == {M.RISK_CHECKED, M.REVIEWED}
    assert parse_condition("outbound and waybill_issued 且 paid", "x").all_of == {
        M.OUTBOUND,
        M.WAYBILL_ISSUED,
        M.PAID,
    }
    assert parse_condition("collected 或 departed", "x").any_of == {M.COLLECTED, M.DEPARTED}
    with pytest.raises(GraphError, match="unknown milestone"):
        parse_condition("paid ∧ teleported", "x")


def test_packing_reported_after_another_system_said_outbound_is_a_conflict():
    graph = load_graph({})
    known = {M.OUTBOUND: Known(100, "crm")}
    c = find_conflict(graph.conflicts, "packed", 200, "wms", known)
    assert c is not None
    assert c.rule.code == "warehouse_work_after_outbound"
    assert (c.other, c.other_source, c.other_at_ns) == (M.OUTBOUND, "crm", 100)
    assert "/" in c.message  # English / 中文


def test_late_arriving_packing_stamped_before_outbound_is_not_a_conflict():
    graph = load_graph({})
    known = {M.OUTBOUND: Known(100, "crm")}
    assert find_conflict(graph.conflicts, "packed", 50, "wms", known) is None
    assert find_conflict(graph.conflicts, "packed", 200, "crm", known) is None  # its own word


def test_pickup_failed_after_delivery_is_a_conflict():
    graph = load_graph({})
    c = find_conflict(graph.conflicts, "pickup_failed", 300, "sf", {M.DELIVERED: Known(200, "crm")})
    assert c is not None and c.rule.code == "pickup_failed_after_delivery"


def _crafted(**changes: Any) -> dict[str, Any]:
    data = _default()
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split("__")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return data


def test_lint_finds_a_status_that_a_higher_one_always_shadows():
    data = _crafted(statuses__processing__when="paid ∧ outbound ∧ waybill_issued")
    codes = {(f.code, f.where) for f in lint(compile_graph(data))}
    assert ("unreachable_status", "statuses.processing") in codes


def test_lint_finds_a_status_no_path_leads_to():
    data = _default()
    for spec in data["statuses"].values():
        spec["next"] = [n for n in spec.get("next", []) if n != "out_for_delivery"]
    codes = {(f.code, f.where) for f in lint(compile_graph(data))}
    assert ("unreachable_status", "statuses.out_for_delivery.next") in codes


def test_lint_finds_a_cycle():
    data = _crafted(statuses__delivered__next=["completed", "in_transit"])
    findings = [f for f in lint(compile_graph(data)) if f.code == "cycle"]
    assert findings and any("delivered → in_transit" in f.message for f in findings)


def test_lint_finds_vocabulary_that_maps_to_nothing():
    data = _default()
    data["sources"]["wms"]["codes"]["TELEPORTED"] = ["teleported"]
    data["sources"]["sf"]["codes"] = dict(
        data["sources"]["sf"]["codes"], LOST_IN_SPACE={"signal": "abducted"}
    )
    data["sources"]["legacy_erp"] = {"kind": "erp", "codes": {}}
    where = {f.where for f in lint(compile_graph(data)) if f.code == "dead_vocabulary"}
    assert {"sources.wms.codes.TELEPORTED", "sources.sf.codes.LOST_IN_SPACE", "sources.legacy_erp"} <= where
    assert compile_graph(data).translate("wms", "TELEPORTED") is None


def test_a_graph_naming_an_unknown_status_does_not_compile():
    data = _default()
    data["statuses"]["teleported"] = {"rank": 99, "when": "paid"}
    with pytest.raises(GraphError, match="unknown status"):
        compile_graph(data)


def test_the_status_graph_file_can_be_replaced_by_the_environment(tmp_path):
    data = _crafted(statuses__shipped__when="outbound ∧ paid")
    path = tmp_path / "graph.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    graph = load_graph({"ORDO_STATUS_GRAPH": str(path)})
    assert graph.derive({M.OUTBOUND, M.PAID}) is Status.SHIPPED
    assert [f.code for f in lint(graph)] == ["differs_from_builtin"]
