"""Checks of a compiled status graph: what ``ordo status lint`` reports.

* ``unreachable_status``: no set of milestones makes the status the highest that
  holds (a higher-ranked condition holds on every minimal set that satisfies it),
  or no path of ``next`` leads to it from the initial status.
* ``cycle``: ``next`` leads from a status back to itself, or to a status ranked
  no higher (derived status only climbs, so such an edge can never be seen).
* ``duplicate_rank``: two statuses share a rank, so which one shows is arbitrary.
* ``dead_vocabulary``: a source code that maps to nothing Ordo knows, or a source
  with no codes at all.
* ``differs_from_builtin`` (warning): the conditions differ from the lifecycle's
  built-in graph, which is what stored statuses are derived with.

Pure: takes the compiled graph, returns findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from ordo.domain.orders.milestones import STATUS_GRAPH, Condition, Milestone
from ordo.domain.orders.status_graph import StatusGraph, StatusRule


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    where: str
    message: str
    severity: str = "error"  # or "warning"


def _minimal_sets(condition: Condition) -> list[frozenset[Milestone]]:
    if not condition.any_of:
        return [condition.all_of]
    return [condition.all_of | {m} for m in condition.any_of]


def _shadowed(rule: StatusRule, higher: list[StatusRule]) -> bool:
    assert rule.condition is not None
    return all(
        any(h.condition is not None and h.condition.holds(s) for h in higher)
        for s in _minimal_sets(rule.condition)
    )


def _cycles(graph: StatusGraph) -> list[Finding]:
    edges = {r.status.value: r.next for r in graph.statuses}
    rank = {r.status.value: r.rank for r in graph.statuses}
    out: list[Finding] = []
    for src, targets in edges.items():
        for dst in targets:
            if dst not in edges:
                out.append(
                    Finding("unknown_status", f"statuses.{src}.next", f"unknown status {dst!r} / 未知状态")
                )
            elif rank[dst] <= rank[src]:
                out.append(
                    Finding(
                        "cycle",
                        f"statuses.{src}.next",
                        f"{src} → {dst} goes back down the ranks / 状态回退：{src} → {dst}",
                    )
                )
    # Plain cycle search too, so a loop is named even when ranks are equal.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in edges:
                continue
            if state.get(nxt) == 1:
                loop = [*stack[stack.index(nxt) :], nxt]
                out.append(Finding("cycle", f"statuses.{nxt}", " → ".join(loop) + " / 状态环"))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in edges:
        if node not in state:
            visit(node)
    return out


def _reachable(graph: StatusGraph) -> set[str]:
    edges = {r.status.value: r.next for r in graph.statuses}
    seen = {graph.initial.value}
    todo = [graph.initial.value]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def lint(graph: StatusGraph) -> list[Finding]:
    findings: list[Finding] = []
    ranks: dict[int, str] = {}
    for r in graph.statuses:
        if r.rank in ranks:
            findings.append(
                Finding(
                    "duplicate_rank",
                    f"statuses.{r.status}",
                    f"rank {r.rank} shared with {ranks[r.rank]} / 等级重复",
                )
            )
        ranks.setdefault(r.rank, r.status.value)
    for i, rule in enumerate(graph.statuses):
        if rule.condition is not None and _shadowed(rule, list(graph.statuses[:i])):
            findings.append(
                Finding(
                    "unreachable_status",
                    f"statuses.{rule.status}",
                    f"a higher-ranked status always holds when {rule.status} does"
                    f" / 状态「{rule.status}」永远不会出现",
                )
            )
    reachable = _reachable(graph)
    for rule in graph.statuses:
        if rule.status.value not in reachable:
            findings.append(
                Finding(
                    "unreachable_status",
                    f"statuses.{rule.status}.next",
                    f"no `next` path leads to {rule.status} / 没有路径到达状态「{rule.status}」",
                )
            )
    findings.extend(_cycles(graph))
    for name, vocabulary in graph.sources.items():
        if not vocabulary.codes:
            findings.append(
                Finding("dead_vocabulary", f"sources.{name}", "a source with no codes / 该系统没有任何状态码")
            )
        for code, tr in vocabulary.codes.items():
            if tr.dead:
                what = ", ".join(tr.unknown) or "nothing"
                findings.append(
                    Finding(
                        "dead_vocabulary",
                        f"sources.{name}.codes.{code}",
                        f"maps to {what}, which Ordo does not know / 映射到未知节点或信号：{what}",
                    )
                )
    if graph.conditions() != dict(STATUS_GRAPH):
        findings.append(
            Finding(
                "differs_from_builtin",
                "statuses",
                "conditions differ from the built-in graph that stored statuses use / 条件与内置状态图不一致",
                "warning",
            )
        )
    return findings


def explain(graph: StatusGraph) -> list[tuple[str, int, str]]:
    """(status, rank, condition text) for display, highest rank first."""
    return [(r.status.value, r.rank, r.text or "(initial)") for r in graph.statuses]


__all__ = ["Finding", "explain", "lint"]
