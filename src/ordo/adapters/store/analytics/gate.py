"""The gate every analytics statement passes before it runs, generated or not.

It parses the text with sqlglot (the store's dialect) and lets through exactly one
``SELECT`` (a ``WITH`` whose parts are all SELECTs) that reads only the allowed tables and
the CTEs it defines, calls only allowed functions, and ends in a ``LIMIT`` no larger than
:data:`MAX_ROWS`. Anything else — a second statement, a write, DDL, ``PRAGMA``, ``ATTACH``,
a system catalog, ``pg_sleep``, ``load_extension``, a comment hiding a second statement, a
table read directly rather than through the shipped ``analytics_orders`` view (whose
definition must match the shipped one: the tables hold names and phones, the view does not)
— is an :class:`UnsafeQuery` and nothing runs. The connection it then runs on is read-only as
well (:mod:`ordo.adapters.store.analytics.run`): two locks, either of which holds alone.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ordo.adapters.store.analytics.view import (
    COLUMNS,
    DAYS_COLUMNS,
    DAYS_TABLE,
    DAYS_VIEW,
    FACTS_TABLE,
    VIEW,
    days_sql,
    facts_sql,
)
from ordo.domain.errors import UnsafeQuery

MAX_ROWS = 1000
#: sqlglot's function node classes (lower case) a read may use: aggregates, conditionals and
#: arithmetic helpers; no function that reads files, sleeps, loads code or looks at the server
#: (those parse as ``Anonymous`` or their own classes, all refused).
ALLOWED_FUNCTIONS = frozenset(
    {
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "coalesce",
        "nullif",
        "cast",
        "case",
        "if",
        "exists",
        "abs",
        "round",
        "lower",
        "upper",
        "length",
        "substring",
        "substr",
        "concat",
        "dpipe",
        "safedivide",
        "div",
        "intdiv",
        "floor",
        "ceil",
        "greatest",
        "least",
    }
)
#: Node types no read can contain.
_FORBIDDEN: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Into,
    exp.Lock,
    exp.Copy,
)


def _refuse(reason: str, sql: str) -> UnsafeQuery:
    return UnsafeQuery(f"query refused: {reason} / 查询被拒绝：{reason}", details={"sql": sql[:2000]})


def check(sql: str, dialect: str) -> None:
    """Raise :class:`UnsafeQuery` unless ``sql`` is one bounded read of the allowed tables."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=_dialect(dialect)) if s is not None]
    except SqlglotError as exc:
        raise _refuse(f"not readable SQL ({str(exc)[:200]})", sql) from exc
    if len(statements) != 1:
        raise _refuse(f"{len(statements)} statements, exactly one SELECT is allowed", sql)
    tree = statements[0]
    if not isinstance(tree, exp.Select):
        raise _refuse(f"a {tree.key.upper()} statement, only SELECT is allowed", sql)
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            raise _refuse(f"{type(node).__name__} is not allowed in a read", sql)
        if isinstance(node, exp.Func) and not isinstance(node, exp.Connector):
            name = type(node).__name__.lower()
            if name not in ALLOWED_FUNCTIONS:
                shown = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
                raise _refuse(f"function {shown.upper()} is not allowed", sql)
    ctes = {cte.alias_or_name.lower(): cte for cte in tree.find_all(exp.CTE)}
    for name, cte in ctes.items():
        if not isinstance(cte.this, exp.Select):
            raise _refuse(f"the WITH part {name!r} is not a SELECT", sql)
    # Each shipped view may be read only as its definition projected to some of its columns,
    # and its table only inside it.
    inside: dict[str, exp.CTE] = {}
    for name, stored, columns_of in (
        (VIEW, FACTS_TABLE, tuple(COLUMNS)),
        (DAYS_VIEW, DAYS_TABLE, DAYS_COLUMNS),
    ):
        shipped = ctes.get(name)
        if shipped is None:
            continue
        columns = tuple(e.alias_or_name for e in shipped.this.expressions)
        if not set(columns) <= set(columns_of) or shipped.this.sql(dialect=_dialect(dialect)) != _view_sql(
            _dialect(dialect), name, columns
        ):
            raise _refuse(f"{name!r} is not the shipped view's definition", sql)
        inside[stored] = shipped
    for table in tree.find_all(exp.Table):
        if table.args.get("db") or table.args.get("catalog"):
            raise _refuse(f"table {table.sql()} names a schema or database", sql)
        name = table.name.lower()
        view = inside.get(name)
        if not (name in ctes or (view is not None and table.find_ancestor(exp.CTE) is view)):
            raise _refuse(
                f"table {table.name!r} is not one analytics may read (only {VIEW!r}, {DAYS_VIEW!r})", sql
            )
    limit = tree.args.get("limit")
    count = limit.expression if isinstance(limit, exp.Limit) else None
    if not isinstance(count, exp.Literal) or not count.is_int or int(count.this) > MAX_ROWS:
        raise _refuse(f"a LIMIT of at most {MAX_ROWS} rows is required", sql)


@functools.lru_cache(maxsize=512)
def _view_sql(dialect: str, view: str, columns: tuple[str, ...]) -> str:
    """A shipped view projected to ``columns``, as sqlglot writes it back, per dialect."""
    text = facts_sql(columns) if view == VIEW else days_sql(columns)
    return sqlglot.parse_one(text, read=dialect).sql(dialect=dialect)


def _dialect(name: str) -> str:
    return "postgres" if name.startswith("postgres") else "sqlite"
