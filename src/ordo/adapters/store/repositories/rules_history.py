"""Stored orders as a table of order facts, for backtests: read in chunks, column by column.

Owns the fast path from the store to :data:`ordo.rules.evaluation.compile_polars.SCHEMA`: only the
fact columns a rule set reads are fetched, one query per table per chunk of order ids
(keyset pages on the primary key; lines and milestones by the same id range, so every
query walks a primary-key index), through the driver's own cursor (no SQLAlchemy row
objects), straight into Polars columns. Columns nobody asked for stay null.

The customer's history (lifetime spend, order count, first order, return rate, the last
order's time) is worked out as it stood when each order was placed, from the stored orders
and their cancelled and returned milestones (:func:`customer_history`): what
``customer_stats`` held at the time. Recency, the RFM scores and the value group are judged
from it at the order's placed time by the value model the caller passes (the same
thresholds and groups as intake, ``domain.customers.value``), as Polars expressions.
预测库存风险 is the forecast Ordo held when the order was placed (``forecast_ratio_history``:
each refresh's ratios with their time), as intake read it. What the store does not know stays
unknown (``None``): carrier, blacklist and the other live signals. It never evaluates a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import polars as pl
import sqlalchemy as sa

from ordo.adapters.store import columnar
from ordo.adapters.store.columnar import Query
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema.forecast import forecast_ratio_history
from ordo.domain.customers.value import DAY_NS, Bounds, ValueModel
from ordo.rules.evaluation.compile_polars import SCHEMA
from ordo.rules.evaluation.facts import ms_column
from ordo.rules.language.glossary import short_place_name
from ordo.service.ports.rules import HistoryFilter

__all__ = ["HistoryFilter", "HistoryRepository", "count_orders", "read_facts"]

O, L, M, C, K = t.orders.c, t.order_lines.c, t.milestones.c, t.customers.c, t.skus.c
NS = 1_000_000_000

#: Fact column → the ``orders`` column it is read from (same value).
_DIRECT = {
    "channel": O.channel,
    "goods_amount_fen": O.goods_fen,
    "discount_fen": O.discount_fen,
    "freight_fen": O.freight_fen,
    "order_amount_fen": O.total_fen,
    "remark": O.remark,
    "province": O.province,
    "city": O.city,
    "district": O.district,
    "placed_at_ns": O.placed_at_ns,
    "warehouse": O.warehouse_id,
}
_PLACES = ("province", "city", "district")
#: Read whatever the rules say: the backtest report needs these for money and grouping.
_ALWAYS = frozenset(
    {"order_id", "goods_amount_fen", "freight_fen", "order_amount_fen", "channel", "province"}
)
_LINE_AGG = {"line_count", "item_count", "has_gift"}
_LINE_ROWS = {"skus", "categories", "weight_g"}
#: Milestones the ``orders`` row already carries (placed_at_ns, paid_at_ns).
_FROM_ORDERS = {ms_column("created"), ms_column("paid")}
#: Facts from the customer's history up to the order (:func:`customer_history`).
_VALUE = frozenset(
    {"customer_recency_days", "customer_rfm_r", "customer_rfm_f", "customer_rfm_m", "customer_segment"}
)
_HISTORY = (
    frozenset({"customer_ltv_fen", "customer_return_rate", "customer_order_count", "customer_first_order"})
    | _VALUE
)


def _rows(conn: sa.Connection, stmt: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """Execute on the driver's cursor: plain tuples, none of SQLAlchemy's per-row work."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(compiled.params[k] for k in compiled.positiontup or ())
    cur = conn.connection.cursor()
    try:
        cur.execute(compiled.string, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _where(stmt: sa.Select[Any], f: HistoryFilter) -> sa.Select[Any]:
    if f.placed_from_ns is not None:
        stmt = stmt.where(O.placed_at_ns >= f.placed_from_ns)
    if f.placed_to_ns is not None:
        stmt = stmt.where(O.placed_at_ns < f.placed_to_ns)
    if f.channel:
        stmt = stmt.where(O.channel == f.channel)
    if f.province:
        # Stored addresses keep the full name (浙江省); the filter may use the short one.
        stmt = stmt.where(
            O.province.in_({f.province, short_place_name(f.province)}) | O.province.startswith(f.province)
        )
    return stmt


def count_orders(conn: sa.Connection, f: HistoryFilter) -> int:
    n = int(conn.execute(_where(sa.select(sa.func.count()).select_from(t.orders), f)).scalar_one())
    return min(n, f.limit) if f.limit is not None else n


def _columns(rows: list[tuple[Any, ...]], names: list[str]) -> dict[str, list[Any]]:
    if not rows:
        return {n: [] for n in names}
    return dict(zip(names, (list(c) for c in zip(*rows, strict=True)), strict=True))


Scope = Callable[[Any], Any]  # an order-id column → the predicate that keeps the orders read


def _select(conn: sa.Connection, query: Query) -> pl.DataFrame:
    """The rows of a query as a frame, through the driver's cursor (the plain way)."""
    stmt, dtypes = query
    names = list(dtypes)
    data = _columns(_rows(conn, stmt), names)
    return pl.DataFrame({n: pl.Series(n, data[n], dtype=dtypes[n]) for n in names})


def _orders_query(need: Collection[str], f: HistoryFilter, after: str | None, size: int | None) -> Query:
    names = ["order_id", *(c for c in _DIRECT if c in need)]
    cols: list[Any] = [O.id, *(_DIRECT[c] for c in names[1:])]
    if "tags" in need:
        # As JSON text on both backends; Polars decodes the whole column at once.
        cols.append(sa.cast(O.tags, sa.Text))
        names.append("tags")
    history = not _HISTORY.isdisjoint(need)
    if history or "customer_tier" in need:
        cols.append(O.customer_ref)
        names.append("customer_ref")
        if history and "placed_at_ns" not in names:
            cols.append(O.placed_at_ns)
            names.append("placed_at_ns")
    if "promise_s" in need:
        cols.append(O.promised_at_ns)
        names.append("promised_at_ns")
        if "placed_at_ns" not in names:
            cols.append(O.placed_at_ns)
            names.append("_placed")
    if ms_column("paid") in need:
        cols.append(O.paid_at_ns)
        names.append(ms_column("paid"))
    q = _where(sa.select(*cols), f).order_by(O.id)
    if size is not None:
        q = q.limit(size)
    if after is not None:
        q = q.where(O.id > after)
    text = {"tags", "customer_ref"}
    return q, {n: pl.String if n in text else SCHEMA.get(n, pl.Int64) for n in names}


def _orders_frame(frame: pl.DataFrame) -> pl.DataFrame:
    if "tags" in frame.columns:
        frame = frame.with_columns(pl.col("tags").str.json_decode(pl.List(pl.String)))
    if "promised_at_ns" in frame.columns:
        placed = "placed_at_ns" if "placed_at_ns" in frame.columns else "_placed"
        frame = frame.with_columns(((pl.col("promised_at_ns") - pl.col(placed)) // NS).alias("promise_s"))
    return frame


def _line_aggregates_query(scope: Scope) -> Query:
    gift = sa.case((L.flags.contains("gift"), 1), else_=0)
    q = sa.select(L.order_id, sa.func.count(), sa.func.sum(L.quantity), sa.func.max(gift))
    q = q.where(scope(L.order_id)).group_by(L.order_id)
    return q, {"order_id": pl.String, "line_count": pl.Int64, "item_count": pl.Int64, "has_gift": pl.Int64}


def _line_aggregates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("has_gift").cast(pl.Boolean))


def _line_rows_query(scope: Scope) -> Query:
    q = sa.select(L.order_id, L.sku, L.quantity).where(scope(L.order_id))
    return q, {"order_id": pl.String, "sku": pl.String, "quantity": pl.Int64}


def _line_rows(frame: pl.DataFrame, catalog: pl.DataFrame) -> pl.DataFrame:
    lines = frame.join(catalog, on="sku", how="left")
    return lines.group_by("order_id").agg(
        pl.col("sku").unique(maintain_order=True).alias("skus"),
        pl.col("category").drop_nulls().unique(maintain_order=True).alias("categories"),
        # Weight is known only when every line's SKU is in the catalogue.
        pl.when(pl.col("weight_g").is_null().any())
        .then(None)
        .otherwise((pl.col("weight_g") * pl.col("quantity")).sum())
        .alias("weight_g"),
    )


def _milestones_query(steps: list[str], scope: Scope) -> Query:
    q = sa.select(M.order_id, M.milestone, M.at_ns).where(M.milestone.in_(steps), scope(M.order_id))
    return q, {"order_id": pl.String, "milestone": pl.String, "at": pl.Int64}


def _milestones(long: pl.DataFrame, steps: list[str]) -> pl.DataFrame:
    """The wanted milestones of the orders read, one column per milestone (one pass)."""
    return long.group_by("order_id").agg(
        pl.col("at").filter(pl.col("milestone") == step).first().alias(ms_column(step)) for step in steps
    )


def _small_tables(conn: sa.Connection, need: set[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    tiers = pl.DataFrame(schema={"customer_ref": pl.String, "customer_tier": pl.String})
    catalog = pl.DataFrame(schema={"sku": pl.String, "category": pl.String, "weight_g": pl.Int64})
    if "customer_tier" in need:
        d = _columns(_rows(conn, sa.select(C.ref, C.tier)), ["customer_ref", "customer_tier"])
        tiers = pl.DataFrame(d, schema=tiers.schema)
    if need & _LINE_ROWS:
        d = _columns(_rows(conn, sa.select(K.sku, K.category, K.weight_g)), ["sku", "category", "weight_g"])
        catalog = pl.DataFrame(d, schema=catalog.schema)
    return tiers, catalog


def _related(need: set[str], steps: list[str], scope: Scope) -> list[tuple[str, Query]]:
    """The queries over lines and milestones that the facts in ``need`` take."""
    out: list[tuple[str, Query]] = []
    if need & _LINE_AGG:
        out.append(("agg", _line_aggregates_query(scope)))
    if need & _LINE_ROWS:
        out.append(("lines", _line_rows_query(scope)))
    if steps:
        out.append(("steps", _milestones_query(steps, scope)))
    return out


def _joined(
    orders: pl.DataFrame, related: dict[str, pl.DataFrame], catalog: pl.DataFrame, steps: list[str]
) -> pl.DataFrame:
    part = _orders_frame(orders)
    if "agg" in related:
        part = part.join(_line_aggregates(related["agg"]), on="order_id", how="left")
    if "lines" in related:
        part = part.join(_line_rows(related["lines"], catalog), on="order_id", how="left")
    if "steps" in related:
        part = part.join(_milestones(related["steps"], steps), on="order_id", how="left")
    return part


def _between(lo: str, hi: str) -> Scope:
    """Lines and milestones of one chunk: its order ids run from ``lo`` to ``hi``."""
    return lambda col: sa.and_(col >= lo, col <= hi)


def _scope_of(f: HistoryFilter) -> Scope:
    """Lines and milestones of exactly the orders ``f`` selects, in one pass."""
    if f.placed_from_ns is None and f.placed_to_ns is None and not f.channel and not f.province:
        if f.limit is None:
            return lambda col: sa.true()
        ids = sa.select(O.id).order_by(O.id).limit(f.limit).subquery()
        last = sa.select(sa.func.max(ids.c.id)).scalar_subquery()
        return lambda col: col <= last
    chosen = _where(sa.select(O.id), f).order_by(O.id)
    if f.limit is not None:
        chosen = chosen.limit(f.limit)
    return lambda col: col.in_(chosen.subquery().select())


def _read_columnar(
    conn: sa.Connection, need: set[str], f: HistoryFilter, steps: list[str]
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]] | None:
    related = _related(need, steps, _scope_of(f))
    frames = columnar.read_frames(conn, [_orders_query(need, f, None, f.limit), *(q for _, q in related)])
    if frames is None:
        return None
    return frames[0], {k: fr for (k, _), fr in zip(related, frames[1:], strict=True)}


def read_facts(
    conn: sa.Connection,
    need: Collection[str],
    f: HistoryFilter,
    *,
    now_ns: int,
    chunk: int = 200_000,
    progress: Callable[[int], None] | None = None,
    value_model: ValueModel | None = None,
) -> pl.DataFrame:
    """Order facts of the stored orders ``f`` selects, with the columns in ``need`` filled in.
    The customer's recency, RFM scores and group need ``value_model`` (unknown without one).

    With a columnar reader (:mod:`ordo.adapters.store.columnar`) every table is read in
    one pass; else chunk by chunk through the driver. ``progress`` is called with the
    number of orders read after each chunk (once, at the end, for a columnar read).
    """
    need = set(need) | _ALWAYS
    if _FORECAST in need:
        need |= {"skus", "placed_at_ns"}  # the order's SKUs, and when: the forecast held then
    if ms_column("created") in need:
        need.add("placed_at_ns")  # created is when the order was placed
    tiers, catalog = _small_tables(conn, need)
    steps = sorted(c[len("ms_") : -len("_ns")] for c in need if c.startswith("ms_") and c not in _FROM_ORDERS)
    whole = _read_columnar(conn, need, f, steps)
    if whole is not None:
        frame = _joined(whole[0], whole[1], catalog, steps)
        if progress is not None:
            progress(frame.height)
        return _forecast(conn, need, _finish([frame], need, tiers, now_ns, _history(conn, need), value_model))
    frames: list[pl.DataFrame] = []
    after: str | None = None
    done = 0
    while f.limit is None or done < f.limit:
        size = chunk if f.limit is None else min(chunk, f.limit - done)
        orders = _select(conn, _orders_query(need, f, after, size))
        if orders.height == 0:
            break
        lo, hi = orders["order_id"][0], orders["order_id"][-1]
        related = _related(need, steps, _between(lo, hi))
        part = _joined(orders, {k: _select(conn, q) for k, q in related}, catalog, steps)
        frames.append(part)
        done += part.height
        after = hi
        if progress is not None:
            progress(done)
        if part.height < size:
            break
    return _forecast(conn, need, _finish(frames, need, tiers, now_ns, _history(conn, need), value_model))


#: 预测库存风险: read from the forecasts kept at the time (``forecast_ratio_history``).
_FORECAST = "predicted_stock_risk"


def _forecast(conn: sa.Connection, need: set[str], frame: pl.DataFrame) -> pl.DataFrame:
    """Each order's 预测库存风险 as intake would have read it when the order was placed: the highest,
    over its SKUs, of the network-wide ratio of the last refresh before it (unknown when none)."""
    if _FORECAST not in need or frame.height == 0:
        return frame
    H = forecast_ratio_history.c
    kept = pl.DataFrame(
        _rows(conn, sa.select(H.sku, H.computed_at_ns, H.ratio)),
        schema={"sku": pl.String, "computed_at_ns": pl.Int64, "ratio": pl.Float64},
        orient="row",
    ).sort("computed_at_ns")
    lines = (
        frame.select("order_id", "placed_at_ns", pl.col("skus").alias("sku"))
        .explode("sku")
        .drop_nulls("sku")
        .sort("placed_at_ns")
    )
    # A forecast computed at the very instant an order is placed was not yet read by it.
    seen = lines.with_columns((pl.col("placed_at_ns") - 1).alias("before")).join_asof(
        kept, left_on="before", right_on="computed_at_ns", by="sku", strategy="backward"
    )
    risk = seen.group_by("order_id").agg(pl.col("ratio").max().alias("_risk"))
    dtype = frame.schema[_FORECAST]
    return (
        frame.join(risk, on="order_id", how="left")
        .with_columns(pl.col("_risk").cast(dtype).alias(_FORECAST))
        .drop("_risk")
    )


def _history(conn: sa.Connection, need: set[str]) -> pl.DataFrame | None:
    """Every customer's orders, cancellations and returns as dated changes, when asked for."""
    if not need & _HISTORY:
        return None
    placed = _rows(conn, sa.select(O.id, O.customer_ref, O.placed_at_ns, O.total_fen))
    # When Ordo recorded the cancellation or return, not when the platform says it happened:
    # ``customer_stats`` changes when the report arrives, and a late report (a cancellation
    # reported an hour after the fact) must not reach orders placed before it arrived.
    steps = _rows(
        conn,
        sa.select(M.order_id, M.milestone, M.recorded_at_ns).where(
            M.milestone.in_(["cancelled", "returned"])
        ),
    )
    return customer_history(placed, steps)


def customer_history(placed: list[tuple[Any, ...]], steps: list[tuple[Any, ...]]) -> pl.DataFrame:
    """From (order id, customer ref, placed at, amount) and (order id, milestone, at) rows, each
    customer's running totals after every change, sorted by time: ``at``, ``orders``,
    ``spend_fen``, ``returns`` (as ``customer_stats`` counts them: a cancelled order is no
    longer an order nor spend; a returned order is one return) and ``last_at``, when the
    latest order so far was placed (cancelled or not, as ``customer_stats`` keeps it)."""
    orders = pl.DataFrame(
        placed,
        schema={"id": pl.String, "customer_ref": pl.String, "at": pl.Int64, "fen": pl.Int64},
        orient="row",
    )
    marks = pl.DataFrame(
        steps, schema={"id": pl.String, "milestone": pl.String, "at": pl.Int64}, orient="row"
    )
    marks = marks.join(orders.select("id", "customer_ref", "fen"), on="id", how="inner")

    def change(
        part: pl.DataFrame, orders_d: int, spend: pl.Expr, returns_d: int, placed: pl.Expr
    ) -> pl.DataFrame:
        return part.select(
            "customer_ref",
            "at",
            pl.lit(orders_d, dtype=pl.Int64).alias("d_orders"),
            spend.cast(pl.Int64).alias("d_spend"),
            pl.lit(returns_d, dtype=pl.Int64).alias("d_returns"),
            placed.cast(pl.Int64).alias("placed"),
        )

    none = pl.lit(None, dtype=pl.Int64)
    changes = pl.concat(
        [
            change(orders, 1, pl.col("fen"), 0, pl.col("at")),
            change(marks.filter(pl.col("milestone") == "cancelled"), -1, -pl.col("fen"), 0, none),
            change(marks.filter(pl.col("milestone") == "returned"), 0, pl.lit(0), 1, none),
        ]
    ).sort("customer_ref", "at")
    return changes.select(
        "customer_ref",
        "at",
        pl.col("d_orders").cum_sum().over("customer_ref").alias("orders"),
        pl.col("d_spend").cum_sum().over("customer_ref").alias("spend_fen"),
        pl.col("d_returns").cum_sum().over("customer_ref").alias("returns"),
        # Placements come in time order within a customer: the last one seen is the latest.
        pl.col("placed").forward_fill().over("customer_ref").alias("last_at"),
    ).sort("at")


def _with_history(
    frame: pl.DataFrame, history: pl.DataFrame, model: ValueModel | None = None
) -> pl.DataFrame:
    """Each order's customer as it stood just before the order was placed (and, with a value
    model, its recency, scores and group judged at the order's placed time)."""
    keyed = frame.with_row_index("_row").sort("placed_at_ns")
    before = keyed.join_asof(
        history,
        left_on="placed_at_ns",
        right_on="at",
        by="customer_ref",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,  # both sides are sorted on the time; with ``by`` Polars cannot tell
    ).sort("_row")
    n = pl.col("orders").fill_null(0)
    before = before.with_columns(
        pl.col("spend_fen").fill_null(0).alias("customer_ltv_fen"),
        n.alias("customer_order_count"),
        (n == 0).alias("customer_first_order"),
        pl.when(n > 0)
        .then(pl.min_horizontal(pl.col("returns").fill_null(0) / n, pl.lit(1.0)))
        .otherwise(None)
        .alias("customer_return_rate"),
        pl.when(n > 0)
        .then(pl.max_horizontal(pl.col("placed_at_ns") - pl.col("last_at"), pl.lit(0)) // DAY_NS)
        .otherwise(None)
        .alias("customer_recency_days"),
    )
    if model is not None:
        before = _judged(before, model)
    return before.drop("_row", "at", "orders", "spend_fen", "returns", "last_at")


def _judged(frame: pl.DataFrame, model: ValueModel) -> pl.DataFrame:
    """The RFM scores and the value group, as :func:`ordo.domain.customers.value.profile`
    judges them (a test holds the two to the same answers)."""
    days, orders = pl.col("customer_recency_days"), pl.col("customer_order_count")
    spend = pl.col("customer_ltv_fen")

    def points(cond: list[pl.Expr]) -> pl.Expr:
        return pl.sum_horizontal([c.fill_null(False).cast(pl.Int64) for c in cond]) + 1

    frame = frame.with_columns(
        points([days <= t for t in model.recency_days]).alias("customer_rfm_r"),
        points([orders >= t for t in model.frequency]).alias("customer_rfm_f"),
        points([spend >= t for t in model.monetary_fen]).alias("customer_rfm_m"),
    )
    measures = {
        "r": pl.col("customer_rfm_r"),
        "f": pl.col("customer_rfm_f"),
        "m": pl.col("customer_rfm_m"),
        "orders": orders,
        "spend_fen": spend,
        "recency_days": days,
        "return_rate": pl.col("customer_return_rate"),
    }

    def holds(name: str, b: Bounds) -> pl.Expr:
        col = measures[name]
        expr = col.is_not_null()
        if b.lo is not None:
            expr = expr & (col >= b.lo)
        if b.hi is not None:
            expr = expr & (col <= b.hi)
        return expr.fill_null(False)

    group: Any = None
    for seg in model.segments:
        cond = pl.lit(True)
        for name, b in seg.when.items():
            cond = cond & holds(name, b)
        group = (pl.when(cond) if group is None else group.when(cond)).then(pl.lit(seg.id))
    fallback = pl.lit(model.fallback.id)
    return frame.with_columns(
        (fallback if group is None else group.otherwise(fallback)).alias("customer_segment")
    )


def _finish(
    frames: list[pl.DataFrame],
    need: set[str],
    tiers: pl.DataFrame,
    now_ns: int,
    history: pl.DataFrame | None = None,
    value_model: ValueModel | None = None,
) -> pl.DataFrame:
    frame = (
        pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema={"order_id": pl.String})
    )
    if history is not None and "customer_ref" in frame.columns:
        frame = _with_history(frame, history, value_model)
    if "customer_ref" in frame.columns:
        frame = frame.join(tiers, on="customer_ref", how="left")
    fixes: list[pl.Expr] = []
    for col in _PLACES:
        if col in frame.columns:
            names = frame[col].unique().to_list()
            mapping = {n: short_place_name(n) for n in names if n is not None}
            fixes.append(pl.col(col).replace_strict(mapping, default=pl.col(col), return_dtype=pl.String))
    if ms_column("created") in need and "placed_at_ns" in frame.columns:
        fixes.append(pl.col("placed_at_ns").alias(ms_column("created")))
    if fixes:
        frame = frame.with_columns(fixes)
    defaults = {"line_count": 0, "item_count": 0, "has_gift": False, "remark": "", "district": ""}
    out: list[pl.Expr] = []
    for name, dtype in SCHEMA.items():
        if name == "now_ns":
            out.append(pl.lit(now_ns, dtype=pl.Int64).alias(name))
        elif name in frame.columns:
            expr = pl.col(name).cast(dtype)
            if name in defaults:
                expr = expr.fill_null(defaults[name])
            elif name in ("skus", "categories", "tags"):
                expr = expr.fill_null(pl.lit([], dtype=dtype))
            out.append(expr.alias(name))
        else:
            out.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(out)


class HistoryRepository:
    """:func:`count_orders` and :func:`read_facts` on a unit of work's connection."""

    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def count_orders(self, f: HistoryFilter) -> int:
        return count_orders(self._c, f)

    def read_facts(
        self,
        need: Collection[str],
        f: HistoryFilter,
        *,
        now_ns: int,
        chunk: int = 200_000,
        progress: Callable[[int], None] | None = None,
        value_model: ValueModel | None = None,
    ) -> pl.DataFrame:
        return read_facts(
            self._c, need, f, now_ns=now_ns, chunk=chunk, progress=progress, value_model=value_model
        )
