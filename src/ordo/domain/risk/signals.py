"""What live risk events tell the router: risk per warehouse and carrier, the warehouses
and carriers closed outright, and per warehouse and carrier which events say so (for the
explanation).

Pure: the events arrive with the warehouses their area covers already worked out (the
geometry is the adapters' job, done once when an event is written).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EventSignal:
    """One live event as the router sees it."""

    event_id: str
    zh: str
    en: str
    weight: float
    blocks: bool
    warehouses: frozenset[str]
    carriers: frozenset[str] = frozenset()
    #: A strike severe enough that its carriers take nothing (see ``RiskEvent.closes_carriers``).
    closes_carriers: bool = False

    def note(self) -> list[object]:
        """Its entry in a decision row: ``[id, zh, en, weight, blocks]``."""
        return [self.event_id, self.zh, self.en, self.weight, self.blocks]

    def carrier_note(self) -> list[object]:
        """Its entry for a carrier: ``blocks`` says whether it closes the carrier."""
        return [self.event_id, self.zh, self.en, self.weight, self.closes_carriers]


@dataclass(frozen=True, slots=True)
class RiskSignals:
    warehouse_risk: Mapping[str, float] = field(default_factory=dict)
    carrier_risk: Mapping[str, float] = field(default_factory=dict)
    #: Warehouses a blocking event (closure, lockdown, power loss) takes out of routing.
    closed: frozenset[str] = frozenset()
    #: warehouse id → the events on it, ``EventSignal.note()`` each.
    notes: Mapping[str, tuple[list[object], ...]] = field(default_factory=dict)
    #: carrier id → the events on it.
    carrier_notes: Mapping[str, tuple[list[object], ...]] = field(default_factory=dict)
    #: Carriers a strike closes: the router gives them no parcel while it lasts.
    closed_carriers: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.warehouse_risk or self.carrier_risk or self.closed or self.closed_carriers)


NO_SIGNALS = RiskSignals()


def signals_of(events: Iterable[EventSignal]) -> RiskSignals:
    """The strongest risk on each warehouse and carrier over the live events."""
    w_risk: dict[str, float] = {}
    c_risk: dict[str, float] = {}
    closed: set[str] = set()
    notes: dict[str, list[list[object]]] = {}
    c_notes: dict[str, list[list[object]]] = {}
    c_closed: set[str] = set()
    for ev in events:
        for w in ev.warehouses:
            w_risk[w] = max(w_risk.get(w, 0.0), 1.0 if ev.blocks else ev.weight)
            notes.setdefault(w, []).append(ev.note())
            if ev.blocks:
                closed.add(w)
        for c in ev.carriers:
            c_risk[c] = max(c_risk.get(c, 0.0), 1.0 if ev.closes_carriers else ev.weight)
            c_notes.setdefault(c, []).append(ev.carrier_note())
            if ev.closes_carriers:
                c_closed.add(c)
    if not (w_risk or c_risk):
        return NO_SIGNALS
    return RiskSignals(
        w_risk,
        c_risk,
        frozenset(closed),
        {w: tuple(n) for w, n in notes.items()},
        {c: tuple(n) for c, n in c_notes.items()},
        frozenset(c_closed),
    )
