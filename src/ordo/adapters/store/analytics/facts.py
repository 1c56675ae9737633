"""The analytics tables kept from the outbox: ``analytics_facts`` (the view's row of each order)
and ``analytics_daily`` (those rows summed per Shanghai day of each time column, per set of at
most two dimensions).

A fact row is never derived here by hand: it is the shipped view (:mod:`.view`, over the
orders, milestones, routing decisions and incidents) evaluated for that order, so a question
read from the facts answers exactly what the view answered at ask time. :func:`catch_up`
follows the outbox from its own cursor (``analytics`` in ``projector_cursors``, locked first so
processes take turns): every order an event names since the cursor gets its row recomputed,
and the day sums move by the difference between its old and new row. :func:`rebuild` is the
one full scan (the backfill of a store that has no cursor yet, or after a bulk load beside
Ordo): every fact from the view, every day sum from the facts, in one transaction.

Never written here: anything but these two tables and the cursor.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ordo.adapters.store.analytics.view import COLUMNS, DAY_NS, SHANGHAI_OFFSET_NS, view_sql
from ordo.adapters.store.repositories.outbox import after_cursor
from ordo.adapters.store.schema.analytics import FLAGS, analytics_daily, analytics_facts
from ordo.adapters.store.schema.core import events
from ordo.adapters.store.schema.overview import projector_cursors

NAME = "analytics"
#: Outbox events read per transaction.
BATCH = 5000
#: The time columns a period filters on; each has its own day sums.
BASES = ("placed_at_ns", "delivered_at_ns", "outbound_at_ns")
#: The dimensions the day sums keep, and every set of at most two of them ("" is none).
DIMS = ("channel", "warehouse", "carrier", "province", "city")
GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    *((d,) for d in DIMS),
    *itertools.combinations(DIMS, 2),
)
#: What a day-sum row sums, in the table's order: the orders, the flags, the amount.
MEASURES = ("orders", *FLAGS[:4], "slack_h", *FLAGS[4:], "total_fen")
_FACT_COLUMNS = tuple(COLUMNS)
_CHUNK = 500
_UPSERT_CHUNK = 5000
_K = projector_cursors.c


def dims_key(dims: Iterable[str]) -> str:
    """The ``dims`` value of a set of dimensions (in :data:`DIMS` order)."""
    wanted = set(dims)
    return ",".join(d for d in DIMS if d in wanted)


def _day(ns: int) -> int:
    return (ns + SHANGHAI_OFFSET_NS) // DAY_NS


def _vector(row: Mapping[str, Any]) -> list[float | int]:
    return [
        1,
        *(int(row[f]) for f in FLAGS[:4]),
        float(row["slack_h"] or 0.0),
        *(int(row[f]) for f in FLAGS[4:]),
        int(row["total_fen"] or 0),
    ]


def _keys(row: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The day-sum keys an order's row counts in: per time column it has, per dimension set."""
    names = [row[d] or "" for d in DIMS]
    keys = []
    for basis in BASES:
        at = row[basis]
        if at is None:
            continue
        day = _day(int(at))
        for grouping in GROUPINGS:
            keys.append(
                (
                    basis,
                    ",".join(grouping),
                    day,
                    *(n if d in grouping else "" for d, n in zip(DIMS, names, strict=True)),
                )
            )
    return keys


def _add(
    sums: dict[tuple[Any, ...], list[float | int]], keys: Iterable[tuple[Any, ...]], delta: list[float | int]
) -> None:
    for key in keys:
        acc = sums.get(key)
        sums[key] = list(delta) if acc is None else [a + b for a, b in zip(acc, delta, strict=True)]


def add_change(
    sums: dict[tuple[Any, ...], list[float | int]],
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> None:
    """Move the day sums by an order's change from ``old`` to ``new`` (either may be None; pure)."""
    if old == new:
        return
    old_keys = _keys(old) if old is not None else []
    new_keys = _keys(new) if new is not None else []
    old_vector = _vector(old) if old is not None else None
    new_vector = _vector(new) if new is not None else None
    if old_vector is not None and new_vector is not None and old_keys == new_keys:
        # Same days and names (a flag moved): one difference per key.
        _add(sums, new_keys, [b - a for a, b in zip(old_vector, new_vector, strict=True)])
        return
    if old_vector is not None:
        _add(sums, old_keys, [-v for v in old_vector])
    if new_vector is not None:
        _add(sums, new_keys, new_vector)


def _comparable(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A fact row as stored (the view's slack as a float, its flags as integers)."""
    if row is None:
        return None
    out = dict(row)
    out["slack_h"] = float(out["slack_h"] or 0.0)
    for f in FLAGS:
        out[f] = int(out[f])
    return out


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _newest(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.id), 0))).scalar_one())


def _set_cursor(conn: sa.Connection, event_id: int, now_ns: int) -> None:
    stmt = _insert(conn, projector_cursors).values(name=NAME, event_id=event_id, updated_at_ns=now_ns)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["name"], set_={"event_id": event_id, "updated_at_ns": now_ns}
        )
    )


def refresh(conn: sa.Connection, order_ids: Iterable[str]) -> int:
    """Recompute the fact rows of ``order_ids`` from the view and move the day sums by the
    difference; returns how many rows were written."""
    ids = sorted(set(order_ids))
    sums: dict[tuple[Any, ...], list[float | int]] = {}
    fresh: list[dict[str, Any]] = []
    F = analytics_facts.c
    source = sa.text(f"{view_sql(COLUMNS)}\nWHERE o.id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        before = {
            r["order_id"]: dict(r)
            for r in conn.execute(sa.select(analytics_facts).where(F.order_id.in_(chunk))).mappings()
        }
        after = {r["order_id"]: dict(r) for r in conn.execute(source, {"ids": chunk}).mappings()}
        changed = []
        for oid in chunk:
            old, new = _comparable(before.get(oid)), _comparable(after.get(oid))
            if old != new:
                add_change(sums, old, new)
                changed.append(oid)
        if changed:
            conn.execute(sa.delete(analytics_facts).where(F.order_id.in_(changed)))
            fresh.extend(after[oid] for oid in changed if oid in after)
    if fresh:
        conn.execute(sa.insert(analytics_facts), fresh)
    _add_sums(conn, sums)
    return len(fresh)


def _add_sums(conn: sa.Connection, sums: Mapping[tuple[Any, ...], Sequence[float | int]]) -> None:
    """Upsert the day-sum deltas. Driver-level executemany: tens of thousands of rows after a
    large batch, where building each row's parameters through SQLAlchemy took most of the time."""
    rows = [(*key, *vector) for key, vector in sums.items() if any(vector)]
    if not rows:
        return
    keys = ("basis", "dims", "day", *DIMS)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO analytics_daily ({', '.join((*keys, *MEASURES))}) "
        f"VALUES ({', '.join([mark] * (len(keys) + len(MEASURES)))}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{m} = analytics_daily.{m} + excluded.{m}" for m in MEASURES)
    )
    for start in range(0, len(rows), _UPSERT_CHUNK):
        conn.exec_driver_sql(sql, rows[start : start + _UPSERT_CHUNK])


def _step(engine: sa.Engine, now_ns: int) -> tuple[int, bool]:
    """One batch: (events applied, whether the outbox is followed to its end)."""
    with engine.begin() as conn:
        # The write first: SQLite's write lock, PostgreSQL's row lock, before anything is read.
        locked = conn.execute(
            sa.update(projector_cursors).where(_K.name == NAME).values(updated_at_ns=now_ns)
        )
        if locked.rowcount == 0:
            return 0, True
        cursor = int(conn.execute(sa.select(_K.event_id).where(_K.name == NAME)).scalar_one())
        newest = _newest(conn)
        if cursor >= newest:
            return 0, True
        E = events.c
        rows = conn.execute(
            sa.select(E.id, E.order_id).where(after_cursor(cursor, newest)).order_by(E.id).limit(BATCH)
        ).all()
        upto = int(rows[-1].id) if len(rows) == BATCH else newest
        refresh(conn, (r.order_id for r in rows if r.order_id))
        _set_cursor(conn, upto, now_ns)
    return len(rows), upto >= newest


def catch_up(engine: sa.Engine, now_ns: int, *, max_events: int = 200_000) -> int:
    """Follow the outbox from the cursor; a store with no cursor yet is rebuilt once (the
    backfill). Cheap when nothing is new: one read. Returns the events applied."""
    with engine.connect().execution_options(ordo_read_only=True) as conn, conn.begin():
        cursor = conn.execute(sa.select(_K.event_id).where(_K.name == NAME)).scalar()
        newest = _newest(conn)
    if cursor is None:
        rebuild(engine, now_ns)
        return 0
    if int(cursor) >= newest:
        return 0
    applied = 0
    while applied < max_events:
        n, done = _step(engine, now_ns)
        applied += n
        if done:
            break
    return applied


def _sums_sql(basis: str, grouping: Sequence[str]) -> str:
    """The day sums of one basis and dimension set, from the facts (as :func:`add_change` moves them)."""
    day = f"CAST(({basis} + {SHANGHAI_OFFSET_NS}) / {DAY_NS} AS INTEGER)"
    names = [f"COALESCE({d}, '')" if d in grouping else "''" for d in DIMS]
    sums = [
        "COUNT(*)",
        *(f"SUM({f})" for f in FLAGS[:4]),
        "SUM(slack_h)",
        *(f"SUM({f})" for f in FLAGS[4:]),
        "COALESCE(SUM(total_fen), 0)",
    ]
    groups = [day, *(n for d, n in zip(DIMS, names, strict=True) if d in grouping)]
    return (
        f"INSERT INTO analytics_daily (basis, dims, day, {', '.join(DIMS)}, {', '.join(MEASURES)})\n"
        f"SELECT :basis, :dims, {day}, {', '.join(names)}, {', '.join(sums)}\n"
        f"FROM analytics_facts WHERE {basis} IS NOT NULL\n"
        f"GROUP BY {', '.join(groups)}"
    )


def rebuild(engine: sa.Engine, now_ns: int) -> dict[str, Any]:
    """Every fact from the view and every day sum from the facts; the cursor to the newest event."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        _set_cursor(conn, 0, now_ns)  # the lock first, as in a catch-up
        newest = _newest(conn)
        conn.execute(sa.delete(analytics_daily))
        conn.execute(sa.delete(analytics_facts))
        columns = ", ".join(_FACT_COLUMNS)
        conn.execute(sa.text(f"INSERT INTO analytics_facts ({columns})\n{view_sql(COLUMNS)}"))
        for basis in BASES:
            for grouping in GROUPINGS:
                conn.execute(
                    sa.text(_sums_sql(basis, grouping)), {"basis": basis, "dims": ",".join(grouping)}
                )
        _set_cursor(conn, newest, now_ns)
    with engine.connect() as conn:
        facts = int(conn.execute(sa.select(sa.func.count()).select_from(analytics_facts)).scalar_one())
    return {"cursor": newest, "facts": facts, "rebuild_s": round(time.perf_counter() - t0, 3)}
