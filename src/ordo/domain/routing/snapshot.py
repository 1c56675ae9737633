"""The decision snapshot: every candidate, every exclusion and why, the numbers, the plan.

Owns turning a decision's evidence into plain JSON-able data, and ``replay``: deciding
again from a snapshot alone with the same selection code the router used, so anyone
can check that the recorded numbers do lead to the recorded plan (可溯因). Building a
snapshot is deferred until someone asks for it; the evidence arrays are never
mutated after a decision, so a late build shows the decision as it was made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ordo.domain.routing.context import RouteRequest, RoutingContext, split_allowed
from ordo.domain.routing.kernel import REASON_LABELS, Reason
from ordo.domain.routing.network import FloatArray, IntArray
from ordo.domain.routing.plan import Plan
from ordo.domain.routing.profiles import OBJECTIVES, WeightProfile
from ordo.domain.routing.quantity import split_units
from ordo.domain.routing.select import Scored, choose, fewest_parcels

SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Evidence:
    """One order's evaluated warehouses (rows) and which of them were scored."""

    w: IntArray
    reasons: IntArray
    line_ok: IntArray
    scored: IntArray  # rows that were scored (eligible, or split candidates)
    raw: FloatArray  # (7, scored rows)
    norm: FloatArray | None  # (7, scored rows)
    score: FloatArray | None
    mode: str  # "single" | "split" (lines whole) | "units" (a line's units split) | "none"
    basis: str  # "wave": scored with its wave; "single": routed alone
    #: For a units split: (scored rows × lines) units each candidate had of each line.
    units: IntArray | None = None


#: Reason codes of every bitmask, worked out once (IntFlag arithmetic is slow in a loop).
_CODES: list[list[str]] = [
    [r.name.lower() for r in Reason if bits & r.value and r.name] for bits in range(2 * max(Reason))
]


def reason_codes(bits: int) -> list[str]:
    return list(_CODES[bits])


class WaveEvidence:
    """A scored wave's arrays (pairs in order, then warehouse, order), kept so one order's
    evidence can be cut out when its snapshot is asked for."""

    def __init__(
        self,
        o: IntArray,
        w: IntArray,
        reasons: IntArray,
        line_ok: IntArray,
        elig: IntArray,
        raw: FloatArray,
        scored: Scored | None,
    ) -> None:
        self.o, self.w, self.reasons, self.line_ok = o, w, reasons, line_ok
        self.elig, self.eo, self.raw, self.scored = elig, o[elig], raw, scored
        # The order of each scored segment (rows are grouped by order, in order).
        self.orders = self.eo[np.r_[True, self.eo[1:] != self.eo[:-1]]] if self.eo.size else self.eo

    def cut(self, k: int) -> Evidence:
        lo, hi = np.searchsorted(self.o, [k, k + 1])
        e_lo, e_hi = np.searchsorted(self.eo, [k, k + 1])
        sl = slice(e_lo, e_hi)
        raw = self.raw[:, sl]
        if self.scored is None or e_hi == e_lo:  # nothing was eligible for this order
            return Evidence(
                self.w[lo:hi],
                self.reasons[lo:hi],
                self.line_ok[lo:hi],
                self.elig[sl] - lo,
                raw,
                None,
                None,
                "none",
                "wave",
            )
        segment = int(np.searchsorted(self.orders, k))
        return Evidence(
            self.w[lo:hi],
            self.reasons[lo:hi],
            self.line_ok[lo:hi],
            self.elig[sl] - lo,
            raw,
            self.scored.norm(raw, segment),
            self.scored.score[sl],
            "single",
            "wave",
        )


class Recorder:
    """What one routing call decided, kept as references; snapshots are built on demand.

    One recorder per call rather than a closure per order: a wave of 10,000 orders would
    otherwise allocate tens of thousands of objects for the garbage collector to walk.
    A plan's entry ``i >= 0`` is a decision recorded with ``add`` (the single-order path);
    ``i < 0`` is wave order ``-i - 1``, whose evidence is cut from ``wave``.
    """

    def __init__(
        self, ctx: RoutingContext, requests: Sequence[RouteRequest] = (), wave: WaveEvidence | None = None
    ) -> None:
        self.net, self.now = ctx.network, ctx.now_ns
        self._ids: list[str] | None = None  # made on the first build: most plans are never asked
        self.position = ctx.network.w_index
        self.profile_for = ctx.profile_for
        self.split_rules = ctx.split_rules
        self.requests = requests
        self.wave = wave
        self.entries: list[tuple[RouteRequest, Evidence]] = []
        self.built: dict[int, Mapping[str, Any]] = {}

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = [w.id for w in self.net.warehouses]
        return self._ids

    def add(self, req: RouteRequest, evidence: Evidence) -> int:
        self.entries.append((req, evidence))
        return len(self.entries) - 1

    def build(self, i: int, plan: Plan) -> Mapping[str, Any]:
        if i in self.built:
            return self.built[i]
        if i >= 0:
            req, ev = self.entries[i]
        else:
            assert self.wave is not None
            req, ev = self.requests[-i - 1], self.wave.cut(-i - 1)
        status, parcels, reason = plan.status, plan.parcels, plan.reason
        split_ok = split_allowed(req, self.split_rules)
        net, now, max_parcels = self.net, self.now, self.split_rules.max_parcels
        profile = self.profile_for(req.directives)
        skus = [s for s, _ in req.lines]
        names = [o.value for o in OBJECTIVES]
        scored = {int(r): n for n, r in enumerate(ev.scored)}
        candidates = []
        # Excluded warehouses grouped by their set of reasons: complete, and a tenth the size
        # of one entry per warehouse when hundreds lack the stock.
        groups: dict[int, list[str]] = {}
        reasons = ev.reasons.tolist()
        for row, wi in enumerate(ev.w.tolist()):
            wid = self.ids[wi]
            n = scored.get(row)
            if n is None:
                groups.setdefault(reasons[row], []).append(wid)
                continue
            assert ev.norm is not None and ev.score is not None
            cand: dict[str, Any] = {
                "warehouse": wid,
                "name": net.warehouses[wi].name,
                "reasons": reason_codes(reasons[row]),
                "covers": [s for j, s in enumerate(skus) if int(ev.line_ok[row]) >> j & 1],
                "raw": dict(zip(names, ev.raw[:, n].tolist(), strict=True)),
                "norm": dict(zip(names, ev.norm[:, n].tolist(), strict=True)),
                "score": float(ev.score[n]),
            }
            if ev.units is not None:
                cand["holds"] = ev.units[n].tolist()
            candidates.append(cand)
        # A wave only evaluates holders of the scarcest SKU; every other warehouse lacks stock.
        unseen = np.ones(len(self.ids), dtype=bool)
        unseen[ev.w] = False
        if unseen.any():
            groups.setdefault(int(Reason.STOCK), []).extend(
                self.ids[i] for i in np.flatnonzero(unseen).tolist()
            )
        excluded = [
            {"reasons": reason_codes(bits), "warehouses": sorted(ids, key=self.position.__getitem__)}
            for bits, ids in sorted(groups.items())
        ]
        d = req.directives
        self.built[i] = {
            "version": SNAPSHOT_VERSION,
            "order_id": req.order_id,
            "now_ns": now,
            "basis": ev.basis,
            "mode": ev.mode,
            "lines": [[s, q] for s, q in req.lines],
            "profile": profile.to_dict(),
            "rules": list(d.rule_ids),
            "directives": {
                "profile": d.profile,
                "prefer": d.prefer,
                "exclude": sorted(d.exclude),
                "carrier": d.carrier,
                "split_allowed": d.split_allowed,
                "avoid": sorted(d.avoid_carriers),
            },
            "split_allowed": split_ok,
            "max_parcels": max_parcels,
            "min_units": self.split_rules.min_units,
            "objectives": names,
            "candidates": candidates,
            "excluded": excluded,
            "plan": {
                "status": status.value,
                "reason": reason,
                "parcels": [
                    {
                        "warehouse": p.warehouse_id,
                        "lines": [[s, q] for s, q in p.lines],
                        "carrier": p.carrier_id,
                        "cost_fen": p.cost_fen,
                        "promise_ns": p.promise_ns,
                        "carbon_g": round(p.carbon_g, 1),
                        "km": round(p.km, 1),
                    }
                    for p in parcels
                ],
            },
        }
        return self.built[i]


def replay(snap: Mapping[str, Any]) -> list[str]:
    """The warehouses (one per parcel, in parcel order) the snapshot's numbers lead to."""
    cands = snap["candidates"]
    if snap["mode"] == "none" or not cands:
        return []
    profile = WeightProfile.from_dict(snap["profile"])
    names = snap["objectives"]
    raw = np.array([[c["raw"][k] for c in cands] for k in names], dtype=np.float64)
    weights = np.array([profile.vector()], dtype=np.float64)
    prefer = snap["directives"]["prefer"]
    preferred = np.array([c["warehouse"] == prefer for c in cands], dtype=bool)
    sc = choose(np.zeros(1, dtype=np.int64), raw, weights, preferred)
    if snap["mode"] == "single":
        return [cands[int(sc.best[0])]["warehouse"]]
    if not snap["split_allowed"]:
        return []
    if snap["mode"] == "units":
        scores = [float(x) for x in sc.score]
        found = split_units(
            [c["holds"] for c in cands],
            scores,
            [q for _, q in snap["lines"]],
            int(snap["max_parcels"]),
            int(snap.get("min_units", 1)),
        )
        return [] if found is None else [cands[i]["warehouse"] for i in found.picks]
    skus = [s for s, _ in snap["lines"]]
    covers = [sum(1 << skus.index(s) for s in c["covers"]) for c in cands]
    max_parcels = int(snap["max_parcels"])
    scores = [float(x) for x in sc.score]
    chosen = fewest_parcels(covers, scores, len(skus), max_parcels)
    if chosen is None:
        return []
    return [cands[i]["warehouse"] for i in sorted(chosen, key=lambda i: (scores[i], i))]


def excluded_for(snap: Mapping[str, Any], warehouse: str) -> list[str] | None:
    """The reasons a snapshot gives for excluding a warehouse; None if it was not excluded."""
    for group in snap["excluded"]:
        if warehouse in group["warehouses"]:
            return list(group["reasons"])
    return None


def reason_label(code: str, lang: str) -> str:
    r = Reason[code.upper()]
    zh, en = REASON_LABELS[r]
    return zh if lang == "zh" else en
