"""An order's lines as its parcels ship them: a line whose units two parcels share becomes two.

Owns the one step from a split plan to stored lines. Each stored line has one warehouse
(reservations, cancels, outbound and the playbooks release and consume per line), so a
line of 5 shipped as 3 from 上海仓 and 2 from 杭州仓 is kept as a line of 3 at 上海仓 and
a line of 2 at 杭州仓, same SKU, price, flags and platform line id; the discount is
shared by units (integer fen, the remainder on the last part), so the order's amounts
are unchanged to the fen. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ordo.domain.orders.model import Line, Order
from ordo.domain.routing.plan import Parcel


def shipped_lines(order: Order, parcels: Sequence[Parcel]) -> tuple[Order, list[str | None]]:
    """The order with its lines cut where parcels share a line's units, and the warehouse
    of each resulting line (None for a line no parcel ships, which a plan never leaves).
    An order whose lines each ship whole from one parcel comes back unchanged."""
    left = [dict(p.lines) for p in parcels]  # units of each SKU still to place, per parcel
    out: list[Line] = []
    where: list[str | None] = []
    cut = False
    for line in order.lines:
        pieces: list[tuple[int, int]] = []  # (parcel, units)
        need = line.quantity
        for n, have in enumerate(left):
            take = min(need, have.get(line.sku, 0))
            if take > 0:
                have[line.sku] -= take
                pieces.append((n, take))
                need -= take
            if need == 0:
                break
        if len(pieces) <= 1 or need:
            out.append(line)
            where.append(parcels[pieces[0][0]].warehouse_id if pieces and not need else None)
            continue
        cut = True
        given = 0
        for k, (n, units) in enumerate(pieces):
            last = k == len(pieces) - 1
            share = line.discount_fen - given if last else line.discount_fen * units // line.quantity
            given += share
            out.append(replace(line, quantity=units, discount_fen=share))
            where.append(parcels[n].warehouse_id)
    return (replace(order, lines=tuple(out)) if cut else order), where
