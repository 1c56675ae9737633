"""Importing orders from a file (B2B purchase orders in CSV or Excel): good POs go in, bad ones
come back with a reason per row — never half a PO, never a silent skip.

Each PO goes through the same adapter, mapping and intake as a webhook, in batches
(one intake transaction per batch); a PO already in Ordo is a duplicate, not an error,
so re-importing a file is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from ordo.adapters.channels import Unmappable, to_canonical
from ordo.adapters.channels.b2b import PurchaseOrder
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Order
from ordo.service.channels.receive import adapter_for, resolver_for, sku_lookup
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo

_AT_INTAKE = frozenset({Milestone.CREATED, Milestone.PAID})


@dataclass(frozen=True, slots=True)
class Reject:
    po: PurchaseOrder
    reason: str


@dataclass
class ImportReport:
    orders: int = 0
    created: int = 0
    duplicates: int = 0
    held: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        rows = sum(len(r.po.rows) for r in self.rejects)
        return {
            "orders": self.orders,
            "created": self.created,
            "duplicates": self.duplicates,
            "held": self.held,
            "rejected_orders": len(self.rejects),
            "rejected_rows": rows,
        }


def import_orders(
    app: Ordo,
    channel: str,
    pos: Iterable[PurchaseOrder],
    *,
    batch: int = 200,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    adapter = adapter_for(channel, app.channels)
    report = ImportReport()
    for chunk in _batches(iter(pos), batch):
        parsed = []
        for po in chunk:
            try:
                parsed.append((po, adapter.parse(po.payload)))
            except Unmappable as exc:
                report.rejects.append(Reject(po, _reason(exc)))
        lookup = sku_lookup(app, channel, [s for _, co in parsed for ln in co.lines for s in ln.skus])
        good: list[tuple[PurchaseOrder, Order, list[MilestoneUpdate]]] = []
        for po, co in parsed:
            try:
                mapped = to_canonical(co, lookup, resolver_for(app.divisions))
            except Unmappable as exc:
                report.rejects.append(Reject(po, _reason(exc)))
                continue
            assert mapped.order is not None
            # intake records created and paid itself; anything further is applied after it
            later = [MilestoneUpdate("", m, at, channel) for m, at in co.steps if m not in _AT_INTAKE]
            good.append((po, mapped.order, later))
        results = intake(app, [o for _, o, _ in good]) if good else []
        updates: list[MilestoneUpdate] = []
        for (po, _, later), result in zip(good, results, strict=True):
            report.orders += 1
            if result.outcome is IntakeOutcome.REJECTED:
                assert result.error is not None
                report.orders -= 1
                report.rejects.append(Reject(po, result.error.message))
            elif result.outcome is IntakeOutcome.DUPLICATE:
                report.duplicates += 1
            else:
                report.created += 1
                report.held += result.hold_reason is not None
                assert result.order_id is not None
                updates += [MilestoneUpdate(result.order_id, u.milestone, u.at_ns, u.source) for u in later]
        if updates:  # e.g. a PO imported as cancelled
            advance(app, updates)
        if on_progress:
            on_progress(len(chunk))
    return report


def _reason(exc: Unmappable) -> str:
    return "; ".join(r.message for r in exc.reasons)


def _batches(items: Iterator[PurchaseOrder], size: int) -> Iterator[list[PurchaseOrder]]:
    while chunk := list(islice(items, size)):
        yield chunk
