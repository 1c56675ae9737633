"""Each customer's running statistics, which the rules' live customer fields read
(客户累计消费 ``customer.ltv``, 客户订单数 ``customer.order_count``, 首单
``customer.first_order``, 客户退货率 ``customer.return_rate``, and through the value model
of ``value`` 距上次下单天数, the RFM scores and 客户分群).

Intake adds each new order in its own transaction and the returned / cancelled milestones
adjust the counts in theirs (``service.orders``); this module reads them and recounts them
from the stored orders (:func:`rebuild`: the backfill for a database that had orders before
the table existed, or after data was repaired by hand). Backtests do not read the table:
they work out each order's customer as it stood when the order was placed, from the same
history (``adapters/store/repositories/rules_history.py``).
"""

from __future__ import annotations

from typing import Any

from ordo.domain.customers.value import profile
from ordo.service.customers.value import default_model
from ordo.service.runtime.app import Ordo

__all__ = ["customer_stats", "rebuild"]


def customer_stats(app: Ordo, customer_ref: str) -> dict[str, Any]:
    """What the rules would read for this customer's next order (value judged now)."""
    with app.store.uow(read_only=True) as uow:
        row = uow.customer_stats.get([customer_ref]).get(customer_ref)
    orders = row.orders if row else 0
    returns = row.returns if row else 0
    last = row.last_order_at_ns if row else None
    p = profile(
        default_model(),
        orders=orders,
        spend_fen=row.spend_fen if row else 0,
        returns=returns,
        last_order_at_ns=last,
        at_ns=app.clock.now_ns(),
    )
    return {
        "customer_ref": customer_ref,
        "orders": orders,
        "spend_fen": row.spend_fen if row else 0,
        "returns": returns,
        "return_rate": min(1.0, returns / orders) if orders > 0 else None,
        "first_order_at_ns": row.first_order_at_ns if row else None,
        "last_order_at_ns": last,
        "next_is_first_order": orders == 0,
        "recency_days": p.recency_days,
        "rfm": {"r": p.scores.r, "f": p.scores.f, "m": p.scores.m},
        "segment": p.segment,
    }


def rebuild(app: Ordo) -> int:
    """Recount every customer from the stored orders and milestones; the customers kept."""
    with app.store.uow() as uow:
        n = uow.customer_stats.rebuild(app.clock.now_ns())
        uow.commit()
    return n
