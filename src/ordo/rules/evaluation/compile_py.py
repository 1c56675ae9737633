"""AST → a Python closure over one order's facts (the live, per-order path).

Owns the scalar semantics every other evaluator must agree with (the Polars compiler
is held to it by a property test):

* an atom whose column is ``None`` is false (an unknown tier is not ``diamond``, and
  not ``!= diamond`` either); ``Not`` then flips that false to true;
* a place condition matches when the province, the city or the district matches;
  region groups are expanded from the glossary at compile time;
* dates are whole days in Asia/Shanghai (UTC+8, no daylight saving);
* ``Elapsed`` is false until the milestone is recorded.

It never reads a clock (``now_ns`` is a fact) and never imports Polars.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ordo.rules.evaluation.facts import ms_column
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import PLACE_COLUMNS, PLACE_FIELD, Glossary, default_glossary

Facts = Mapping[str, Any]
Predicate = Callable[[Facts], bool]

NS = 1_000_000_000
SHANGHAI = timezone(timedelta(hours=8))
_OPS: dict[A.Op, Callable[[Any, Any], bool]] = {
    A.Op.EQ: operator.eq,
    A.Op.NE: operator.ne,
    A.Op.GT: operator.gt,
    A.Op.GE: operator.ge,
    A.Op.LT: operator.lt,
    A.Op.LE: operator.le,
}


def day_start_ns(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).timestamp()) * NS


def day_bounds(op: A.Op, d: date) -> tuple[int | None, int | None, bool]:
    """A date comparison as a half-open ns interval [lo, hi) and whether to negate it."""
    start, nxt = day_start_ns(d), day_start_ns(d + timedelta(days=1))
    return {
        A.Op.EQ: (start, nxt, False),
        A.Op.NE: (start, nxt, True),
        A.Op.GE: (start, None, False),
        A.Op.GT: (nxt, None, False),
        A.Op.LT: (None, start, False),
        A.Op.LE: (None, nxt, False),
    }[op]


def place_values(g: Glossary, cond: A.InSet) -> frozenset[str]:
    out = set(cond.values)
    for gid in cond.groups:
        out |= g.group_members(gid)
    return frozenset(out)


def columns_of(g: Glossary, field: str) -> tuple[str, ...]:
    if field == PLACE_FIELD:
        return PLACE_COLUMNS
    return (g.fields[field].column,)


def compile_condition(cond: A.Condition, glossary: Glossary | None = None) -> Predicate:
    g = glossary or default_glossary()
    return _compile(cond, g)


def compile_rule(rule: A.Rule, glossary: Glossary | None = None) -> Predicate:
    """A predicate that is true when the rule fires on an order (scope, condition, thresholds)."""
    return compile_condition(rule.guard, glossary)


def _compile(c: A.Condition, g: Glossary) -> Predicate:
    if isinstance(c, A.Always):
        return lambda f: True
    if isinstance(c, A.Not):
        inner = _compile(c.item, g)
        return lambda f: not inner(f)
    if isinstance(c, A.All):
        return _all(tuple(_compile(i, g) for i in c.items))
    if isinstance(c, A.AnyOf):
        return _any(tuple(_compile(i, g) for i in c.items))
    if isinstance(c, A.Compare):
        return _compare(c, g)
    if isinstance(c, A.InSet):
        cols = columns_of(g, c.field)
        values = place_values(g, c)
        if len(cols) == 1:
            col = cols[0]
            return lambda f: f[col] in values
        return lambda f: any(f[k] in values for k in cols)
    if isinstance(c, A.Contains):
        col = g.fields[c.field].column
        needles = c.values
        if g.fields[c.field].type == "text":
            return lambda f: (t := f[col]) is not None and any(n in t for n in needles)
        wanted = frozenset(needles)
        return lambda f: (xs := f[col]) is not None and not wanted.isdisjoint(xs)
    if isinstance(c, A.IsTrue):
        col = g.fields[c.field].column
        return lambda f: f[col] is True
    if isinstance(c, A.DateRange):
        col = g.fields[c.field].column
        lo, hi = day_start_ns(c.start), day_start_ns(c.end + timedelta(days=1))
        return lambda f: (x := f[col]) is not None and lo <= x < hi
    if isinstance(c, A.Reached):
        col = ms_column(c.milestone)
        return lambda f: f[col] is not None
    if isinstance(c, A.Elapsed):
        col, fn, limit = ms_column(c.milestone), _OPS[c.op], c.seconds * NS
        return lambda f: (at := f[col]) is not None and fn(f["now_ns"] - at, limit)
    raise TypeError(f"not a condition: {c!r}")


def _all(preds: tuple[Predicate, ...]) -> Predicate:
    # Short conjunctions are the common case; a plain ``and`` avoids a generator per call.
    if len(preds) == 2:
        a, b = preds
        return lambda f: a(f) and b(f)
    if len(preds) == 3:
        a, b, c = preds
        return lambda f: a(f) and b(f) and c(f)

    def all_(f: Facts) -> bool:
        for p in preds:  # noqa: SIM110 - a plain loop is faster than all()/any() over a generator
            if not p(f):
                return False
        return True

    return all_


def _any(preds: tuple[Predicate, ...]) -> Predicate:
    if len(preds) == 2:
        a, b = preds
        return lambda f: a(f) or b(f)

    def any_(f: Facts) -> bool:
        for p in preds:  # noqa: SIM110 - a plain loop is faster than all()/any() over a generator
            if p(f):
                return True
        return False

    return any_


def _compare(c: A.Compare, g: Glossary) -> Predicate:
    col = g.fields[c.field].column
    if isinstance(c.value, date):
        lo, hi, neg = day_bounds(c.op, c.value)

        def in_day(f: Facts) -> bool:
            x = f[col]
            if x is None:
                return False
            inside = (lo is None or x >= lo) and (hi is None or x < hi)
            return inside != neg

        return in_day
    fn, v = _OPS[c.op], c.value
    return lambda f: (x := f[col]) is not None and fn(x, v)
