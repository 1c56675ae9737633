"""A metric query → one SELECT over the shipped views → the gate → a read-only connection.

A question over whole Shanghai days that names at most two dimensions (filters, groups and
the asker's channel scope together) reads the day sums (``analytics_days``: days × groups
rows, whatever the number of orders); any other reads the facts (``analytics_orders``, one
row per order). Both are kept from the same view by :mod:`.facts`, so both give the answer
the view gives. The statement is built from the query's parts, with every value the asker supplied (names,
periods, scope) as a bound parameter; the metric expressions come from the metrics layer
(data shipped with Ordo). Whatever built it, it runs only if :func:`gate.check` passes, and
then in a transaction the database itself keeps read-only (SQLite ``PRAGMA query_only``,
PostgreSQL ``SET TRANSACTION READ ONLY``) and time-bounded (a progress handler, a
``statement_timeout``).
"""

from __future__ import annotations

import re
import time
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from ordo.adapters.store.analytics import facts, gate
from ordo.adapters.store.analytics.view import (
    COLUMNS,
    DAY_NS,
    DAYS_COLUMNS,
    DAYS_VIEW,
    SHANGHAI_OFFSET_NS,
    VIEW,
    day_expression,
    days_sql,
    facts_sql,
)
from ordo.adapters.store.errors import translate
from ordo.domain.errors import UnsafeQuery, ValidationError
from ordo.service.ports.insight import DIMENSION_COLUMNS, TIME_COLUMNS, MetricQuery, Table

#: The longest a question may run before the database stops it.
TIMEOUT_S = 5.0
#: A metric part the day sums can answer: a sum of one stored column, or the order count.
_SUMMABLE = re.compile(r"^(?:SUM\(([a-z_][a-z0-9_]*)\)|COUNT\(\*\))$")


def _filters(q: MetricQuery) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The query's filters and the asker's channel scope, checked."""
    out = (*q.filters, *((("channel", tuple(sorted(q.channels))),) if q.channels else ()))
    for column, _values in out:
        if column not in DIMENSION_COLUMNS - {"day"}:
            raise ValidationError("filters", f"unknown filter column {column!r}")
    return out


def _days_part(expression: str | None) -> str | None:
    """``expression`` over the day sums, or None when they cannot answer it."""
    if expression is None:
        return None
    m = _SUMMABLE.match(expression.strip())
    if m is None or (m.group(1) is not None and m.group(1) not in DAYS_COLUMNS[8:]):
        return None
    return f"SUM({m.group(1) or 'orders'})"


def _by_days(q: MetricQuery) -> bool:
    """Whether the day sums answer ``q``: whole days, at most two dimensions named, sums only."""
    whole = all((t + SHANGHAI_OFFSET_NS) % DAY_NS == 0 for t in (q.since_ns, q.until_ns))
    named = {d for d in q.dimensions if d != "day"} | {c for c, _ in _filters(q)}
    return (
        whole
        and len(named) <= 2
        and _days_part(q.numerator) is not None
        and (q.denominator is None or _days_part(q.denominator) is not None)
    )


def compile_query(q: MetricQuery) -> tuple[str, dict[str, Any]]:
    """The statement and its parameters (no value of the asker's is ever in the text)."""
    if q.time_column not in TIME_COLUMNS:
        raise ValidationError("time_column", f"unknown time column {q.time_column!r}")
    for dim in q.dimensions:
        if dim not in DIMENSION_COLUMNS:
            raise ValidationError("dimensions", f"unknown dimension {dim!r}")
    return _compile_days(q) if _by_days(q) else _compile_facts(q)


def _where_filters(q: MetricQuery, params: dict[str, Any]) -> list[str]:
    where = []
    for i, (column, values) in enumerate(_filters(q)):
        names = [f"f{i}_{j}" for j in range(len(values))]
        params.update(zip(names, values, strict=True))
        where.append(f"{column} IN ({', '.join(':' + n for n in names)})")
    return where


def _compile_days(q: MetricQuery) -> tuple[str, dict[str, Any]]:
    """Over the day sums: the same groups, values and bases as over the facts."""
    numerator = _days_part(q.numerator)
    denominator = _days_part(q.denominator)
    assert numerator is not None
    named = {d for d in q.dimensions if d != "day"} | {c for c, _ in _filters(q)}
    params: dict[str, Any] = {
        "basis": q.time_column,
        "dims": facts.dims_key(named),
        "since_day": (q.since_ns + SHANGHAI_OFFSET_NS) // DAY_NS,
        "until_day": (q.until_ns + SHANGHAI_OFFSET_NS) // DAY_NS,
    }
    value = (
        f"COALESCE({numerator}, 0)"
        if denominator is None
        else f"({numerator}) * 1.0 / NULLIF({denominator}, 0)"
    )
    # Over the facts the base of a count is COUNT(*) (0 over no rows), of a rate its sum.
    base = denominator or "COALESCE(SUM(orders), 0)"
    where = ["basis = :basis", "dims = :dims", "day >= :since_day", "day < :until_day"]
    where += [f"{d} <> ''" for d in q.dimensions if d != "day"]
    where += _where_filters(q, params)
    groups = ", ".join(q.dimensions)
    order = "day" if "day" in q.dimensions else f"value {'DESC' if q.descending else 'ASC'} NULLS LAST"
    used = set(re.findall(r"[a-z_][a-z0-9_]*", " ".join([*q.dimensions, value, base, *where, "orders"])))
    sql = (
        f"WITH {DAYS_VIEW} AS ({days_sql(used & set(DAYS_COLUMNS))})\n"
        f"SELECT {', '.join([*q.dimensions, f'{value} AS value', f'{base} AS base'])}\n"
        f"FROM {DAYS_VIEW}\nWHERE {' AND '.join(where)}\n"
        # A day-sum row can be left at zero orders when its last order moved away.
        + (f"GROUP BY {groups}\nHAVING SUM(orders) > 0\nORDER BY {order}\n" if groups else "")
        + f"LIMIT {min(q.limit, gate.MAX_ROWS)}"
    )
    return sql, params


def _compile_facts(q: MetricQuery) -> tuple[str, dict[str, Any]]:
    """Over the facts, one row per order."""
    if q.time_column not in TIME_COLUMNS:
        raise ValidationError("time_column", f"unknown time column {q.time_column!r}")
    params: dict[str, Any] = {"since": q.since_ns, "until": q.until_ns}
    selects: list[str] = []
    for dim in q.dimensions:
        if dim not in DIMENSION_COLUMNS:
            raise ValidationError("dimensions", f"unknown dimension {dim!r}")
        selects.append(f"{day_expression(q.time_column)} AS day" if dim == "day" else dim)
    # A sum over no rows is 0 orders or 0 yuan, not "no data"; a rate over none has no value.
    value = (
        f"COALESCE({q.numerator}, 0)"
        if q.denominator is None
        else f"({q.numerator}) * 1.0 / NULLIF({q.denominator}, 0)"
    )
    base = q.denominator or "COUNT(*)"
    where = [f"{q.time_column} >= :since", f"{q.time_column} < :until"]
    # A group with no name (an order not yet routed has no warehouse or carrier) is left out.
    where += [f"{d} <> ''" for d in q.dimensions if d != "day"]
    where += _where_filters(q, params)
    groups = ", ".join("day" if d == "day" else d for d in q.dimensions)
    order = "day" if "day" in q.dimensions else f"value {'DESC' if q.descending else 'ASC'} NULLS LAST"
    used = set(re.findall(r"[a-z_][a-z0-9_]*", " ".join([*selects, value, base, *where]))) & set(COLUMNS)
    sql = (
        f"WITH {VIEW} AS ({facts_sql(used)})\n"
        f"SELECT {', '.join([*selects, f'{value} AS value', f'{base} AS base'])}\n"
        f"FROM {VIEW}\nWHERE {' AND '.join(where)}\n"
        + (f"GROUP BY {groups}\nORDER BY {order}\n" if groups else "")
        + f"LIMIT {min(q.limit, gate.MAX_ROWS)}"
    )
    return sql, params


class Analytics:
    """The store's analytics port (:class:`ordo.service.ports.insight.Analytics`)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def check(self, sql: str) -> None:
        gate.check(sql, self.dialect)

    def catch_up(self, now_ns: int) -> int:
        """Bring the facts and day sums up to the outbox's newest event (see :mod:`.facts`)."""
        try:
            return facts.catch_up(self.engine, now_ns)
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc

    def rebuild(self, now_ns: int) -> dict[str, Any]:
        """Recompute the facts and day sums from the orders (the backfill)."""
        try:
            return facts.rebuild(self.engine, now_ns)
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc

    def run(self, query: MetricQuery) -> Table:
        sql, params = compile_query(query)
        return self.run_sql(sql, params)

    def run_sql(self, sql: str, params: dict[str, Any]) -> Table:
        """Run a statement that passes the gate, read-only and time-bounded."""
        gate.check(sql, self.dialect)
        try:
            with self.engine.connect().execution_options(ordo_read_only=True) as conn:
                rows = self._read_only(conn, sql, params)
        except sa_exc.OperationalError as exc:
            if "interrupted" in str(exc) or "statement timeout" in str(exc):
                raise UnsafeQuery(
                    f"query stopped after {TIMEOUT_S:.0f} s / 查询超过 {TIMEOUT_S:.0f} 秒被中止",
                    details={"sql": sql[:2000]},
                ) from exc
            raise translate(exc) from exc
        except sa_exc.DBAPIError as exc:
            raise translate(exc) from exc
        return Table(columns=rows[0], rows=rows[1], sql=sql, params=params)

    def _read_only(
        self, conn: sa.Connection, sql: str, params: dict[str, Any]
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        def fetch() -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
            result = conn.execute(sa.text(sql), params)
            return tuple(result.keys()), [tuple(r) for r in result.fetchall()]

        if self.dialect != "sqlite":
            with conn.begin():
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(TIMEOUT_S * 1000)}")
                return fetch()
        raw: Any = conn.connection.dbapi_connection
        deadline = time.monotonic() + TIMEOUT_S
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            with conn.begin():
                conn.exec_driver_sql("PRAGMA query_only = ON")
                try:
                    return fetch()
                finally:
                    conn.exec_driver_sql("PRAGMA query_only = OFF")
        finally:
            raw.set_progress_handler(None, 0)
