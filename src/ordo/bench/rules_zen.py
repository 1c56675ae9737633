"""The same rule set as a GoRules ZEN decision graph (JDM), for ``ordo bench rules``.

Owns the translation of a :class:`~ordo.rules.evaluation.evaluate.RuleSet` into a JSON Decision
Model that the open-source ZEN engine (Rust, PyPI ``zen-engine``, a dev extra) evaluates:
one decision table per hit-policy group of the plan (``first`` for review, routing and
exclusive promotions; ``collect`` for the rest), rows in plan order, one input column per
fact column a guard reads. Cells are written the way ZEN's own editor writes them, as
unary tests on the column (``> 30000``, ``"tmall"``, ``"上海", "浙江"``); a column on which
some rule tests two things becomes a plain expression column (ZEN's unary cells cannot
bracket ``and``/``or``). Each table writes the ids of the rules that fire under its own
``outputPath``, so both engines decide the same thing: which rules fire. Only guards that
are conjunctions of atoms translate (every bench rule is); anything else raises.

The bench only: ZEN is imported by the bench when asked for, never in Ordo's order path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from ordo.rules.evaluation.compile_py import columns_of, day_bounds, day_start_ns, place_values
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import PLACE_FIELD, Glossary, default_glossary

_OPS = {A.Op.EQ: "==", A.Op.NE: "!=", A.Op.GT: ">", A.Op.GE: ">=", A.Op.LT: "<", A.Op.LE: "<="}


def _lit(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return json.dumps(str(v), ensure_ascii=False)


def _items(values: object) -> str:
    return ", ".join(_lit(v) for v in sorted(values))  # type: ignore[call-overload]


def _column(c: A.Condition, g: Glossary) -> str:
    """The fact column an atom's cell sits in (a place test sits on the province)."""
    if isinstance(c, A.Not):
        return _column(c.item, g)
    field = getattr(c, "field", None)
    if field is None:
        raise ValueError(f"no ZEN translation for {c!r}")
    return columns_of(g, field)[0]


def _unary(c: A.Condition, g: Glossary) -> str:
    """A ZEN unary test on the cell's column (``$``); nulls never satisfy a comparison."""
    if isinstance(c, A.Compare) and not isinstance(c.value, date):
        if c.op is A.Op.NE:  # ZEN's null != "x" is true; Ordo's unknown satisfies nothing
            return f"$ != null and $ != {_lit(c.value)}"
        return _lit(c.value) if c.op is A.Op.EQ else f"{_OPS[c.op]} {_lit(c.value)}"
    if isinstance(c, A.InSet) and c.field != PLACE_FIELD:
        return _items(place_values(g, c))
    if isinstance(c, A.IsTrue):
        return "true"
    if isinstance(c, A.Not) and isinstance(c.item, A.IsTrue):
        return "$ != true"
    return _expr(c, g, "$")


def _expr(c: A.Condition, g: Glossary, x: str) -> str:
    """A ZEN boolean expression for one atom, its own column named ``x``."""
    if isinstance(c, A.Not):
        return f"not ({_expr(c.item, g, x)})"
    if isinstance(c, A.Compare):
        if isinstance(c.value, date):
            lo, hi, neg = day_bounds(c.op, c.value)
            inside = " and ".join([f"{x} >= {lo}"] * (lo is not None) + [f"{x} < {hi}"] * (hi is not None))
            return f"{x} != null and {'not ' if neg else ''}({inside})"
        return f"{x} != null and {x} {_OPS[c.op]} {_lit(c.value)}"
    if isinstance(c, A.InSet):
        cols = columns_of(g, c.field)
        names = [x, *cols[1:]]  # province, city or district: the cell sits on the province
        return " or ".join(f"{k} in [{_items(place_values(g, c))}]" for k in names)
    if isinstance(c, A.Contains):
        if g.fields[c.field].type == "text":
            return f"{x} != null and some([{_items(c.values)}], contains({x}, #))"
        return f"{x} != null and some({x}, # in [{_items(c.values)}])"
    if isinstance(c, A.IsTrue):
        return f"{x} == true"
    if isinstance(c, A.DateRange):
        lo, hi = day_start_ns(c.start), day_start_ns(c.end + timedelta(days=1))
        return f"{x} != null and {x} >= {lo} and {x} < {hi}"
    raise ValueError(f"no ZEN translation for {c!r}")


def _atoms(guard: A.Condition) -> list[A.Condition]:
    out: list[A.Condition] = []
    stack = [guard]
    while stack:
        c = stack.pop()
        if isinstance(c, A.All):
            stack.extend(reversed(c.items))
        elif not isinstance(c, A.Always):
            out.append(c)
    return out


def _table(rows: list[tuple[str, list[A.Condition]]], g: Glossary) -> tuple[list[Any], list[Any]]:
    by_col = [(rid, [(_column(a, g), a) for a in atoms]) for rid, atoms in rows]
    columns = list(dict.fromkeys(col for _, cells in by_col for col, _ in cells))
    shared = {
        col for _, cells in by_col for col in {c for c, _ in cells} if [c for c, _ in cells].count(col) > 1
    }
    inputs: list[dict[str, Any]] = []
    for k, col in enumerate(columns):
        inp = {"id": f"c{k}", "name": col, "type": "expression"}
        if col not in shared:
            inp["field"] = col
        inputs.append(inp)
    body = []
    for rid, cells in by_col:
        row = {"_id": rid, "o": _lit(rid)}
        for k, col in enumerate(columns):
            mine = [a for c, a in cells if c == col]
            if col in shared:
                row[f"c{k}"] = " and ".join(f"({_expr(a, g, col)})" for a in mine)
            else:
                row[f"c{k}"] = _unary(mine[0], g) if mine else ""
        body.append(row)
    return inputs, body


def to_jdm(ruleset: RuleSet, glossary: Glossary | None = None) -> dict[str, Any]:
    """The rule set as one JDM decision graph: input → one table per group → output."""
    g = glossary or default_glossary()
    tables: dict[str, tuple[str, list[tuple[str, list[A.Condition]]]]] = {}
    for step in ruleset.plan():
        key = step.group or f"all:{step.rule.category.value}"
        policy = "first" if step.group is not None else "collect"
        tables.setdefault(key, (policy, []))[1].append((step.rule.id, _atoms(step.rule.guard)))
    nodes: list[dict[str, Any]] = [
        {"id": "in", "type": "inputNode", "name": "order", "position": {"x": 0, "y": 0}},
        {"id": "out", "type": "outputNode", "name": "fired", "position": {"x": 600, "y": 0}},
    ]
    edges: list[dict[str, Any]] = []
    for n, (policy, rows) in enumerate(tables.values()):
        inputs, body = _table(rows, g)
        node_id = f"t{n}"
        outputs = [{"id": "o", "name": "rule", "type": "expression", "field": "rule"}]
        content = {
            "hitPolicy": policy,
            "inputs": inputs,
            "outputs": outputs,
            "rules": body,
            "outputPath": f"g{n}",
        }
        nodes.append({"id": node_id, "type": "decisionTableNode", "name": node_id,
                      "position": {"x": 300, "y": 100 * n}, "content": content})  # fmt: skip
        edges += [{"id": f"a{n}", "sourceId": "in", "targetId": node_id, "type": "edge"},
                  {"id": f"b{n}", "sourceId": node_id, "targetId": "out", "type": "edge"}]  # fmt: skip
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def fired_ids(result: Mapping[str, Any]) -> set[str]:
    """The ids of the rules ZEN says fire, from an ``evaluate`` response's ``result``."""
    out: set[str] = set()
    for value in result.values():
        for hit in value if isinstance(value, list) else [value]:
            if isinstance(hit, dict) and "rule" in hit:
                out.add(str(hit["rule"]))
    return out
