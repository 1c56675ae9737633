"""Small helpers shared by the repositories: sets as CSV text, chunked IN lists, bulk inserts,
plain-SQL reads and writes of tuples."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa

T = TypeVar("T")

#: Bound parameters per IN list: safe for SQLite's and PostgreSQL's limits.
CHUNK = 900


def to_csv(values: Iterable[str]) -> str:
    return ",".join(sorted(values))


def from_csv(text: str) -> frozenset[str]:
    return frozenset(v for v in text.split(",") if v)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Bulk inserts ---------------------------------------------------------------------------
# SQLAlchemy's executemany processes every parameter of every row through its type
# system; for intake's tens of thousands of rows per second that is most of the cost.
# Here the INSERT is compiled once per (dialect, table, columns) and the rows go to the
# driver's executemany directly; JSON columns are serialised with orjson on the way.


@functools.lru_cache(maxsize=256)
def _insert_sql(
    dialect: sa.Dialect, table: sa.Table, cols: tuple[str, ...]
) -> tuple[str, tuple[str, ...] | None]:
    """The INSERT's SQL for this dialect, and the order of its parameters when positional."""
    c = sa.insert(table).values({col: sa.bindparam(col) for col in cols}).compile(dialect=dialect)
    return c.string, tuple(c.positiontup) if c.positional and c.positiontup else None


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = tuple(rows[0])
    sql, positions = _insert_sql(conn.dialect, table, cols)
    json_cols = [c for c in cols if isinstance(table.c[c].type, sa.JSON)]
    if json_cols:
        rows = [{**r, **{c: orjson.dumps(r[c]).decode() for c in json_cols}} for r in rows]
    if positions:
        getter = itemgetter(*positions)  # C-level row → tuple; a generator per row costs more
        params: Any = [getter(r) for r in rows] if len(positions) > 1 else [(getter(r),) for r in rows]
    else:
        params = list(rows)
    conn.exec_driver_sql(sql, params)


# Plain SQL with tuples ------------------------------------------------------------------
# The hottest writes and reads (intake's orders and lines, its stock read; status
# ingestion) skip SQLAlchemy's statement and row machinery altogether.


def mark(conn: sa.Connection) -> str:
    """The driver's parameter marker: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert_tuples(
    conn: sa.Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT rows given as tuples in ``columns`` order with the driver's executemany.
    JSON columns must already be text."""
    if rows:
        marks = ",".join([mark(conn)] * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def fetch_rows(conn: sa.Connection, sql: str, args: tuple[Any, ...]) -> Sequence[Any]:
    """Plain tuples straight from the driver, without a Row object per row: for hot reads of
    thousands of rows a batch. Driver errors stay wrapped."""
    result = conn.exec_driver_sql(sql, args)
    try:
        rows = result.cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, args, exc, conn.dialect.loaded_dbapi.Error) from exc
    finally:
        result.close()
    return rows
