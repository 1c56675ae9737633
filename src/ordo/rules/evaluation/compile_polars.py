"""AST → a Polars expression over a table of order facts (backtests over history).

Owns the vector twin of :mod:`ordo.rules.evaluation.compile_py`: same semantics, node for node
(every atom is ``fill_null(False)`` so an unknown value never matches, as in the scalar
path), and the rule-set plan applied column-wise. The table's columns are exactly
:data:`ordo.rules.evaluation.facts.COLUMNS`; :func:`facts_frame` builds one from fact dicts. This
is the only rules module that imports Polars.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl

from ordo.rules.evaluation.compile_py import columns_of, day_bounds, day_start_ns, place_values
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.evaluation.facts import COLUMNS, ms_column
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import Glossary, default_glossary

_DTYPES: dict[str, Any] = {
    "str": pl.String,
    "int": pl.Int64,
    "float": pl.Float64,
    "bool": pl.Boolean,
    "list[str]": pl.List(pl.String),
}
SCHEMA: dict[str, Any] = {c.name: _DTYPES[c.kind] for c in COLUMNS}
NS = 1_000_000_000


def facts_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """A DataFrame of order facts with the documented schema."""
    return pl.DataFrame(list(rows), schema=SCHEMA)


def compile_condition(cond: A.Condition, glossary: Glossary | None = None) -> pl.Expr:
    return _compile(cond, glossary or default_glossary())


def compile_rule(rule: A.Rule, glossary: Glossary | None = None) -> pl.Expr:
    return compile_condition(rule.guard, glossary)


def _op(left: pl.Expr, op: A.Op, v: Any) -> pl.Expr:
    # Expr's rich comparisons are typed loosely upstream; the methods say the same, typed.
    if op is A.Op.EQ:
        return left.eq(v)
    if op is A.Op.NE:
        return left.ne(v)
    if op is A.Op.GT:
        return left.gt(v)
    if op is A.Op.GE:
        return left.ge(v)
    if op is A.Op.LT:
        return left.lt(v)
    return left.le(v)


def _compile(c: A.Condition, g: Glossary) -> pl.Expr:
    if isinstance(c, A.Always):
        return pl.lit(True)
    if isinstance(c, A.Not):
        return ~_compile(c.item, g)
    if isinstance(c, A.All):
        return pl.all_horizontal([_compile(i, g) for i in c.items])
    if isinstance(c, A.AnyOf):
        return pl.any_horizontal([_compile(i, g) for i in c.items])
    if isinstance(c, A.Compare):
        col = pl.col(g.fields[c.field].column)
        if isinstance(c.value, date):
            lo, hi, neg = day_bounds(c.op, c.value)
            inside = pl.lit(True)
            if lo is not None:
                inside = inside & (col >= lo)
            if hi is not None:
                inside = inside & (col < hi)
            return ((~inside) if neg else inside).fill_null(False)
        return _op(col, c.op, c.value).fill_null(False)
    if isinstance(c, A.InSet):
        values = sorted(place_values(g, c))
        if not values:
            return pl.lit(False)
        series = pl.Series(values, dtype=pl.String)
        return pl.any_horizontal([pl.col(k).is_in(series).fill_null(False) for k in columns_of(g, c.field)])
    if isinstance(c, A.Contains):
        fd = g.fields[c.field]
        col = pl.col(fd.column)
        if fd.type == "text":
            parts = [col.str.contains(n, literal=True) for n in c.values]
        else:
            parts = [col.list.contains(pl.lit(n, dtype=pl.String)) for n in c.values]
        return pl.any_horizontal(parts).fill_null(False)
    if isinstance(c, A.IsTrue):
        return pl.col(g.fields[c.field].column).fill_null(False)
    if isinstance(c, A.DateRange):
        col = pl.col(g.fields[c.field].column)
        lo, hi = day_start_ns(c.start), day_start_ns(c.end + timedelta(days=1))
        return ((col >= lo) & (col < hi)).fill_null(False)
    if isinstance(c, A.Reached):
        return pl.col(ms_column(c.milestone)).is_not_null()
    if isinstance(c, A.Elapsed):
        age = pl.col("now_ns") - pl.col(ms_column(c.milestone))
        return _op(age, c.op, c.seconds * NS).fill_null(False)
    raise TypeError(f"not a condition: {c!r}")


def evaluate_frame(ruleset: RuleSet, frame: pl.DataFrame, glossary: Glossary | None = None) -> pl.DataFrame:
    """One boolean column per rule id: whether that rule fires on each order (hit policy applied)."""
    return evaluate_frames([(ruleset, "")], frame, glossary)


def evaluate_frames(
    sets: Sequence[tuple[RuleSet, str]], frame: pl.DataFrame, glossary: Glossary | None = None
) -> pl.DataFrame:
    """The fired columns of several rule sets side by side, named ``prefix + rule id``.

    A guard that several rules share (the same rule in an old and a new version of a rule
    set) is evaluated once over the table, then each set applies its own hit policy.
    """
    g = glossary or default_glossary()
    plans = [(rs.plan(), prefix) for rs, prefix in sets]
    guards: dict[A.Condition, str] = {}
    for steps, _ in plans:
        for s in steps:
            guards.setdefault(s.rule.guard, f"m{len(guards)}")
    # with_columns, not select: a rule with no condition (合单 等待 30分钟) is a literal, which
    # select would leave one row high instead of one per order.
    exprs = [compile_condition(guard, g).alias(name) for guard, name in guards.items()]
    matched = frame.with_columns(exprs).select(list(guards.values()))
    fired: list[pl.Expr] = []
    for steps, prefix in plans:
        taken: dict[str, pl.Expr] = {}
        for s in steps:
            m = pl.col(guards[s.rule.guard])
            name = prefix + s.rule.id
            if s.group is None:
                fired.append(m.alias(name))
                continue
            before = taken.get(s.group)
            fired.append((m & ~before).alias(name) if before is not None else m.alias(name))
            taken[s.group] = m if before is None else (before | m)
    return matched.select(fired) if fired else pl.DataFrame()
