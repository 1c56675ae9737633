"""Customer value (RFM scores and the high-value groups) for the rules and the segments page.

The thresholds and the groups are data (``value.toml``, parsed into a
:class:`~ordo.domain.customers.value.ValueModel`); the judgement is the domain's. Intake reads
each order's customer from ``customer_stats`` (kept incrementally by intake and the returned /
cancelled milestones) and judges it at the order's placed time (:func:`history_stats`);
backtests judge the same history as it stood when each order was placed
(``adapters/store/repositories/rules_history.py``); :func:`segments` judges every customer
now, for ``GET /api/v1/customers/segments`` and the segments page. Names and phones leave
here masked.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ordo.domain.customers.value import ValueModel, model_from_data, profile
from ordo.domain.orders.model import Order
from ordo.domain.pii import mask_name, mask_phone
from ordo.rules.evaluation.facts import CustomerStats
from ordo.service.ports import UnitOfWork
from ordo.service.runtime.app import Ordo

__all__ = ["default_model", "history_stats", "model_data", "parse_model", "segments"]

#: Most customers listed per group on the segments page.
MAX_TOP = 50


def parse_model(text: str) -> ValueModel:
    return model_from_data(tomllib.loads(text))


@functools.cache
def default_model() -> ValueModel:
    """The value model shipped with Ordo (``ordo/service/customers/value.toml``)."""
    return parse_model(resources.files("ordo.service.customers").joinpath("value.toml").read_text("utf-8"))


def history_stats(
    uow: UnitOfWork, orders: Sequence[Order], model: ValueModel | None = None
) -> list[CustomerStats]:
    """Each order's customer as its history stands before the order: the stored statistics,
    plus the orders of the same customer earlier in this batch (a first order stays the
    first even when the customer's second arrives in the same batch); recency, scores and
    group judged at the order's placed time."""
    model = model or default_model()
    rows = uow.customer_stats.get(o.customer_ref for o in orders)
    seen: dict[str, tuple[int, int, int]] = {}  # ref -> (orders, spend, last placed) earlier in the batch
    out: list[CustomerStats] = []
    for o in orders:
        row = rows.get(o.customer_ref)
        n, spend, last = seen.get(o.customer_ref, (0, 0, -1))
        count = (row.orders if row else 0) + n
        total = (row.spend_fen if row else 0) + spend
        returns = row.returns if row else 0
        stored_last = row.last_order_at_ns if row else None
        latest = max(stored_last if stored_last is not None else -1, last)
        p = profile(
            model,
            orders=count,
            spend_fen=total,
            returns=returns,
            last_order_at_ns=latest if latest >= 0 else None,
            at_ns=o.placed_at_ns,
        )
        out.append(
            CustomerStats(
                ltv_fen=total,
                return_rate=min(1.0, returns / count) if count > 0 else None,
                order_count=count,
                recency_days=p.recency_days,
                rfm_r=p.scores.r,
                rfm_f=p.scores.f,
                rfm_m=p.scores.m,
                segment=p.segment,
            )
        )
        seen[o.customer_ref] = (n + 1, spend + o.total_fen, max(last, o.placed_at_ns))
    return out


def model_data(model: ValueModel) -> dict[str, Any]:
    """The model as the page shows it: thresholds and each group's names and definition."""
    return {
        "rfm": {
            "recency_days": list(model.recency_days),
            "frequency": list(model.frequency),
            "monetary_fen": list(model.monetary_fen),
        },
        "segments": [
            {
                "id": s.id,
                "zh": s.zh,
                "en": s.en,
                "about_zh": s.about_zh,
                "about_en": s.about_en,
                "fallback": s is model.fallback,
            }
            for s in model.all_segments
        ],
    }


def segments(
    app: Ordo,
    *,
    top: int = 10,
    segment: str | None = None,
    channels: frozenset[str] | None = None,
    model: ValueModel | None = None,
) -> dict[str, Any]:
    """Every customer judged now: count and spend per group, the R × F grid (customers and
    spend per cell) and each group's top customers by spend (masked name and phone of their
    latest order). ``channels`` keeps a scoped caller's view to customers whose latest order
    came through one of its channels."""
    model = model or default_model()
    now = app.clock.now_ns()
    top = max(0, min(top, MAX_TOP))
    with app.store.uow(read_only=True) as uow:
        rows = uow.customer_stats.every()
        judged = []
        for r in rows:
            p = profile(
                model,
                orders=r.orders,
                spend_fen=r.spend_fen,
                returns=r.returns,
                last_order_at_ns=r.last_order_at_ns,
                at_ns=now,
            )
            judged.append((r, p))
        if channels is not None:
            owners = uow.customer_stats.last_orders(r.customer_ref for r, _ in judged)
            judged = [
                (r, p)
                for r, p in judged
                if r.customer_ref in owners and owners[r.customer_ref].channel in channels
            ]
        by_group: dict[str, list[tuple[Any, Any]]] = {s.id: [] for s in model.all_segments}
        grid: dict[tuple[int, int], list[int]] = {}
        for r, p in judged:
            by_group[p.segment].append((r, p))
            cell = grid.setdefault((p.scores.r, p.scores.f), [0, 0])
            cell[0] += 1
            cell[1] += r.spend_fen
        leaders = {
            sid: sorted(members, key=lambda rp: (-rp[0].spend_fen, rp[0].customer_ref))[:top]
            for sid, members in by_group.items()
            if segment is None or sid == segment
        }
        latest = uow.customer_stats.last_orders(
            r.customer_ref for members in leaders.values() for r, _ in members
        )
    total = len(judged)
    groups = []
    for s in model.all_segments:
        members = by_group[s.id]
        spend = sum(r.spend_fen for r, _ in members)
        entry: dict[str, Any] = {
            "id": s.id,
            "zh": s.zh,
            "en": s.en,
            "about_zh": s.about_zh,
            "about_en": s.about_en,
            "customers": len(members),
            "share": round(len(members) / total, 4) if total else 0.0,
            "spend_fen": spend,
            "orders": sum(r.orders for r, _ in members),
        }
        if s.id in leaders:
            entry["top"] = [_customer(r, p, latest.get(r.customer_ref)) for r, p in leaders[s.id]]
        groups.append(entry)
    return {
        "as_of_ns": now,
        "customers": total,
        "model": model_data(model),
        "groups": groups,
        "rfm_grid": [
            {"r": r, "f": f, "customers": c[0], "spend_fen": c[1]} for (r, f), c in sorted(grid.items())
        ],
    }


def _customer(row: Any, p: Any, last: Any) -> dict[str, Any]:
    return {
        "customer_ref": row.customer_ref,
        "orders": row.orders,
        "spend_fen": row.spend_fen,
        "returns": row.returns,
        "return_rate": round(min(1.0, row.returns / row.orders), 4) if row.orders > 0 else None,
        "first_order_at_ns": row.first_order_at_ns,
        "last_order_at_ns": row.last_order_at_ns,
        "recency_days": p.recency_days,
        "r": p.scores.r,
        "f": p.scores.f,
        "m": p.scores.m,
        "rfm": p.scores.code,
        "segment": p.segment,
        "name": mask_name(last.recipient_name) if last else None,
        "phone": mask_phone(last.recipient_phone) if last and last.recipient_phone else None,
        "channel": last.channel if last else None,
        "last_order_id": last.order_id if last else None,
    }
