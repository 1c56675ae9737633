"""What the router returns: a plan of parcels per order, with its decision snapshot on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class SnapshotSource(Protocol):
    def build(self, i: int, plan: Plan) -> Mapping[str, Any]: ...


class PlanStatus(StrEnum):
    ROUTED = "routed"  # one parcel
    SPLIT = "split"  # several parcels, fewest possible
    UNROUTABLE = "unroutable"  # held: see ``reason``


@dataclass(frozen=True, slots=True)
class Parcel:
    warehouse_id: str
    lines: tuple[tuple[str, int], ...]
    carrier_id: str | None
    cost_fen: int
    promise_ns: int
    carbon_g: float
    km: float


@dataclass(frozen=True, slots=True)
class Plan:
    order_id: str
    status: PlanStatus
    parcels: tuple[Parcel, ...] = ()
    #: Why an unroutable order is held: ``no_candidate`` / ``split_forbidden`` / ``no_carrier``.
    reason: str | None = None
    _source: SnapshotSource | None = field(default=None, compare=False, repr=False)
    _entry: int = field(default=0, compare=False, repr=False)

    @property
    def warehouse_id(self) -> str | None:
        """The shipping warehouse, as ``allocate`` answered it (the first parcel's for a split)."""
        return self.parcels[0].warehouse_id if self.parcels else None

    @property
    def promise_ns(self) -> int | None:
        """When the last parcel arrives."""
        return max((p.promise_ns for p in self.parcels), default=None)

    @property
    def cost_fen(self) -> int:
        return sum(p.cost_fen for p in self.parcels)

    def snapshot(self) -> Mapping[str, Any]:
        """The decision as plain, JSON-able data (built on first use: it is large)."""
        if self._source is None:
            return {"order_id": self.order_id, "status": self.status.value, "reason": self.reason}
        return self._source.build(self._entry, self)
