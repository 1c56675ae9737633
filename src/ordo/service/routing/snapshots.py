"""Decision snapshots as stored: compact ``routing_decisions`` rows out of a router's plans.

Owns the stored form of a routing decision (``routing_decisions.data``). The router's
own snapshot (``Plan.snapshot()``) is a rich dict of some 5 kB per order, built in Python
per candidate; written for every order it would cost more than the rest of intake. So
the row is made straight from the router's evidence arrays: warehouse positions into the
stored network, reason bitmasks, the raw objectives as little-endian float64 bytes
(exact, so a replay reaches the same plan) and the normalisation (a wave's per-objective
minimum and 1/span, exact; float32 normalised values for a decision made alone), base64
in JSON; rules by id with their version (the sentences live in the immutable version).
A wave's rows are cut from its arrays in one pass (:func:`decision_rows`).
:mod:`ordo.service.routing.expand` turns a row back into the router's snapshot format.

When the router's evidence is not available in the form this module knows (a plan
without it), the router's full snapshot is stored instead: slower, never wrong.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import orjson

from ordo.domain.routing import Directives, Plan, PlanStatus, RouteRequest, RoutingContext
from ordo.domain.routing.context import split_allowed
from ordo.domain.routing.profiles import PROFILES, WeightProfile
from ordo.domain.routing.snapshot import Evidence, Recorder, WaveEvidence

FORMAT = 1


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule_id: str
    name: str
    category: str


def _b64(a: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode()


def evidence_of(plan: Plan) -> tuple[RouteRequest, Evidence] | None:
    """The router's evidence behind a plan, when the plan carries it."""
    src, i = plan._source, plan._entry
    if not isinstance(src, Recorder):
        return None
    if i >= 0:
        return src.entries[i]
    if src.wave is None:
        return None
    return src.requests[-i - 1], src.wave.cut(-i - 1)


def plan_status(plan: Plan) -> str:
    """The contract's status word: routed, split, or held."""
    return "held" if plan.status is PlanStatus.UNROUTABLE else plan.status.value


def _b64s(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _evidence_fields(ev: Evidence, n_w: int) -> dict[str, Any]:
    dense = ev.w.size == n_w and bool((ev.w == np.arange(n_w)).all())
    units = {} if ev.units is None else {"u": ev.units.tolist()}  # a units split: what each held
    return {
        **units,
        "m": ev.mode,
        "b": ev.basis,
        "w": None if dense else _b64(ev.w, "<i2"),
        "r": _b64(ev.reasons, "u1"),
        "c": ev.scored.tolist(),
        "cv": ev.line_ok[ev.scored].tolist(),
        "raw": _b64(ev.raw.T, "<f8"),
        "nrm": None if ev.norm is None else _b64(ev.norm.T, "<f4"),
        "sc": None if ev.score is None else _b64(ev.score, "<f8"),
    }


def _wave_fields(wave: WaveEvidence, ks: Sequence[int], n_w: int) -> list[dict[str, Any]]:
    """``_evidence_fields`` of many orders of one scored wave at once: what ``WaveEvidence.cut``
    gives order by order, computed once over the wave's arrays and sliced as bytes."""
    k = np.asarray(ks, dtype=np.int64)
    o, eo, elig = wave.o, wave.eo, wave.elig
    lo, hi = np.searchsorted(o, k).tolist(), np.searchsorted(o, k + 1).tolist()
    elo, ehi = np.searchsorted(eo, k).tolist(), np.searchsorted(eo, k + 1).tolist()
    scored = wave.scored
    assert scored is not None
    segment = np.searchsorted(wave.orders, k).tolist()
    lob = np.ascontiguousarray(scored.lo.T, dtype="<f8").tobytes()
    invb = np.ascontiguousarray(scored.inv.T, dtype="<f8").tobytes()
    wb = np.ascontiguousarray(wave.w, dtype="<i2").tobytes()
    rb = np.ascontiguousarray(wave.reasons, dtype="u1").tobytes()
    rawb = np.ascontiguousarray(wave.raw.T, dtype="<f8").tobytes()
    scoreb = np.ascontiguousarray(scored.score, dtype="<f8").tobytes()
    rel = (elig - np.searchsorted(o, eo)).tolist()
    cover = wave.line_ok[elig].tolist()
    arange = np.arange(n_w)
    out = []
    for a, b, ea, eb, sg in zip(lo, hi, elo, ehi, segment, strict=True):
        dense = b - a == n_w and bool((wave.w[a:b] == arange).all())
        some = eb > ea
        out.append(
            {
                "m": "single" if some else "none",
                "b": "wave",
                "w": None if dense else _b64s(wb[2 * a : 2 * b]),
                "r": _b64s(rb[a:b]),
                "c": rel[ea:eb],
                "cv": cover[ea:eb],
                "raw": _b64s(rawb[56 * ea : 56 * eb]),
                "lo": _b64s(lob[56 * sg : 56 * sg + 56]) if some else None,
                "inv": _b64s(invb[56 * sg : 56 * sg + 56]) if some else None,
                "sc": _b64s(scoreb[8 * ea : 8 * eb]) if some else None,
            }
        )
    return out


def decision_row(
    plan: Plan,
    ctx: RoutingContext,
    *,
    network: str,
    attempt: int,
    trigger: str,
    at_ns: int,
    fired: Sequence[FiredRule] = (),
    rules_version: int | None = None,
) -> dict[str, Any]:
    """One ``routing_decisions`` row for a plan just made against ``ctx``."""
    found = evidence_of(plan)
    if found is None:
        return _row(plan, ctx, None, None, network, attempt, trigger, at_ns, fired, rules_version)
    req, ev = found
    fields = _evidence_fields(ev, ctx.network.n_warehouses)
    return _row(plan, ctx, req, fields, network, attempt, trigger, at_ns, fired, rules_version)


def decision_rows(
    plans: Sequence[Plan],
    ctx: RoutingContext,
    *,
    network: str,
    attempt: int,
    trigger: str,
    at_ns: int,
    fired: Sequence[Sequence[FiredRule]] | None = None,
    rules_version: Sequence[int | None] | None = None,
) -> list[dict[str, Any]]:
    """``decision_row`` of every plan of a routing call; a wave's orders in one pass."""
    n_w = ctx.network.n_warehouses
    out: list[dict[str, Any] | None] = [None] * len(plans)
    waves: dict[int, tuple[Recorder, list[int]]] = {}
    for i, p in enumerate(plans):
        src = p._source
        if (
            isinstance(src, Recorder)
            and p._entry < 0
            and src.wave is not None
            and src.wave.scored is not None
        ):
            waves.setdefault(id(src), (src, []))[1].append(i)
    for rec, idx in waves.values():
        assert rec.wave is not None
        ks = [-plans[i]._entry - 1 for i in idx]
        for i, k, fields in zip(idx, ks, _wave_fields(rec.wave, ks, n_w), strict=True):
            f = fired[i] if fired else ()
            v = rules_version[i] if rules_version else None
            out[i] = _row(plans[i], ctx, rec.requests[k], fields, network, attempt, trigger, at_ns, f, v)
    for i, p in enumerate(plans):
        if out[i] is None:
            f = fired[i] if fired else ()
            v = rules_version[i] if rules_version else None
            out[i] = decision_row(
                p,
                ctx,
                network=network,
                attempt=attempt,
                trigger=trigger,
                at_ns=at_ns,
                fired=f,
                rules_version=v,
            )
    return [r for r in out if r is not None]


_DEFAULT = Directives()
_NO_DIRECTIVES = (None, None, (), None, None, ())  # orjson writes tuples as arrays


def _profile_entry(prof: WeightProfile) -> tuple[Any, ...]:
    return prof.name, prof.version, prof.vector(), dict(prof.carrier_weights)


#: The row's entry of each built-in weight profile, built once: a (name, version) never
#: changes its weights. Any other profile (a benchmark's own) is built per row.
_PROFILE_ENTRIES = MappingProxyType({(p.name, p.version): _profile_entry(p) for p in PROFILES.values()})


def _row(
    plan: Plan,
    ctx: RoutingContext,
    req: RouteRequest | None,
    fields: dict[str, Any] | None,
    network: str,
    attempt: int,
    trigger: str,
    at_ns: int,
    fired: Sequence[FiredRule],
    rules_version: int | None,
) -> dict[str, Any]:
    data: dict[str, Any]
    if req is None or fields is None:
        data = {"f": FORMAT, "full": plan.snapshot()}
        profile = str(data["full"].get("profile", {}).get("name", ctx.default_profile))
    else:
        d = req.directives
        prof = ctx.profile_for(d)
        profile = prof.name
        p_list = _PROFILE_ENTRIES.get((prof.name, prof.version)) or _profile_entry(prof)
        data = {
            "f": FORMAT,
            "l": req.lines,  # orjson writes tuples as arrays
            "p": p_list,
            "d": _NO_DIRECTIVES
            if d == _DEFAULT
            else [d.profile, d.prefer, sorted(d.exclude), d.carrier, d.split_allowed, d.rule_ids]
            + ([sorted(d.avoid_carriers)] if d.avoid_carriers else []),
            "sa": split_allowed(req, ctx.split_rules),
            "mp": ctx.split_rules.max_parcels,
            **fields,
        }
        if ctx.now_ns != at_ns:
            data["now"] = ctx.now_ns
        if ctx.split_rules.min_units != 1:  # the policy's minimum units a parcel (1 unless set)
            data["mu"] = ctx.split_rules.min_units
    whole = req.lines if req is not None else None
    data["plan"] = [
        plan.reason,
        [
            [
                p.warehouse_id,
                p.carrier_id,
                p.cost_fen,
                p.promise_ns,
                round(p.carbon_g, 1),
                round(p.km, 1),
                None if p.lines == whole else p.lines,
            ]
            for p in plan.parcels
        ],
    ]
    if ctx.risk_notes or ctx.carrier_notes:
        # The live outside events on warehouses and carriers, so the explanation names them.
        data["rk"] = dict(ctx.risk_notes)
        used = {p.carrier_id for p in plan.parcels}
        # The carriers it booked, and those a strike closed to it (the hard constraint's why).
        notes = {c: n for c, n in ctx.carrier_notes.items() if c in used or any(x[4] for x in n)}
        if notes:
            data["rkc"] = notes
    if fired:
        # Ids only: a rule's sentence and category are in its immutable version (``rv``).
        data["rules"] = ",".join(f.rule_id for f in fired)
        data["rv"] = rules_version
    parcels = plan.parcels
    if len(parcels) == 1:
        warehouses, carriers = parcels[0].warehouse_id, parcels[0].carrier_id or ""
    else:
        warehouses = ",".join(p.warehouse_id for p in parcels)[:200]
        carriers = ",".join(p.carrier_id or "" for p in parcels)[:200]
    return {
        "order_id": plan.order_id,
        "attempt": attempt,
        "at_ns": at_ns,
        "trigger": trigger,
        "status": plan_status(plan),
        "warehouse_ids": warehouses,
        "carrier_ids": carriers,
        "promise_ns": plan.promise_ns,
        "profile": profile[:32],
        "network": network,
        "data": orjson.dumps(data).decode(),
    }
