"""Which platform lines each parcel of an order holds, for split-parcel write-back.

An order split over warehouses ships one parcel per warehouse: its lines grouped by the
warehouse each ships from, in line order (``parcels`` of the order). The waybills of the
order's ``waybill_issued`` note (``sf:SF1,zto:ZT2``) name those parcels in the same order,
so the n-th waybill holds the n-th warehouse's lines. Where that cannot be told — one
warehouse, a different number of waybills than warehouses, a line without a platform line
id — no parcel names lines and the platform is told about the order whole, as before.

A parcel's lines are kept on its write-back row as text, ``id=units`` joined by commas
(platform line ids hold neither ``=`` nor ``,``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ordo.service.ports.platforms import PlatformLine


def assign(waybills: int, lines: Sequence[PlatformLine]) -> list[str]:
    """The lines text of each of ``waybills`` parcels (all empty when unknown)."""
    groups: dict[str, list[PlatformLine]] = {}
    for ln in lines:
        if ln.warehouse_id is not None:
            groups.setdefault(ln.warehouse_id, []).append(ln)
    known = all(ln.platform_line_id and not set(ln.platform_line_id) & {"=", ","} for ln in lines)
    if waybills < 2 or len(groups) != waybills or not known:
        return [""] * waybills
    out = [encode([(ln.platform_line_id, ln.quantity) for ln in group]) for group in groups.values()]
    return out if all(len(t) <= 1000 for t in out) else [""] * waybills


def encode(lines: Sequence[tuple[str, int]]) -> str:
    return ",".join(f"{line_id}={units}" for line_id, units in lines)


def decode(text: str) -> tuple[tuple[str, int], ...]:
    out = []
    for part in text.split(","):
        line_id, sep, units = part.rpartition("=")
        if sep and line_id and units.isdigit():
            out.append((line_id, int(units)))
    return tuple(out)
