"""Decision snapshots read back: a stored ``routing_decisions`` row as the router's snapshot.

Owns :func:`expand`, the inverse of :mod:`ordo.service.routing.snapshots`: a compact row
and the stored network it points into become exactly the router's snapshot format, so
``explain`` and ``replay`` of ``ordo.domain.routing`` work on it unchanged; and the small
readers of what a row recorded about the rules (:func:`fired_ids`, :func:`directives_of`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from ordo.domain.routing import OBJECTIVES, Directives
from ordo.domain.routing.kernel import Reason
from ordo.domain.routing.snapshot import SNAPSHOT_VERSION, reason_codes

_NAMES = [o.value for o in OBJECTIVES]
_STOCK = int(Reason.STOCK)


def _unb64(s: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(s), dtype=dtype)


def expand(row: Mapping[str, Any], warehouses: Sequence[Sequence[str]]) -> dict[str, Any]:
    """The router's snapshot format (see ``ordo.domain.routing.snapshot``) of a stored row.

    ``warehouses`` is the stored network the row refers to: ``[[id, name], …]`` in position order.
    """
    data = orjson.loads(row["data"])
    whole = data.get("l")
    parcels = [
        {
            "warehouse": w,
            "lines": whole if lines is None else lines,
            "carrier": c,
            "cost_fen": fen,
            "promise_ns": pr,
            "carbon_g": co2,
            "km": km,
        }
        for w, c, fen, pr, co2, km, lines in data["plan"][1]
    ]
    status = row["status"]
    plan = {
        "status": "unroutable" if status == "held" else status,
        "reason": data["plan"][0],
        "parcels": parcels,
    }
    risk = {"warehouses": data.get("rk") or {}, "carriers": data.get("rkc") or {}}
    if "full" in data:
        return {**data["full"], "plan": plan, "risk": risk}
    ids = [w[0] for w in warehouses]
    n_w = len(ids)
    w = np.arange(n_w) if data["w"] is None else _unb64(data["w"], "<i2").astype(np.int64)
    reasons = _unb64(data["r"], "u1").astype(np.int64).tolist()
    scored_rows = data["c"]
    k = len(scored_rows)
    raw = _unb64(data["raw"], "<f8").reshape(k, 7) if k else np.zeros((0, 7))
    norm: np.ndarray | None = None
    if data.get("lo"):  # a wave's normalisation: (raw - lo) · inv, exactly as it was scored
        lo, inv = _unb64(data["lo"], "<f8"), _unb64(data["inv"], "<f8")
        norm = (raw - lo[None, :]) * inv[None, :]
    elif data.get("nrm"):
        norm = _unb64(data["nrm"], "<f4").reshape(k, 7)
    score = _unb64(data["sc"], "<f8") if data["sc"] else None
    skus = [s for s, _ in data["l"]]
    wl = w.tolist()
    holds = data.get("u")  # a units split: what each candidate held of each line
    candidates = []
    for n, (row_i, cover) in enumerate(zip(scored_rows, data["cv"], strict=True)):
        wi = wl[row_i]
        cand: dict[str, Any] = {
            "warehouse": ids[wi],
            "name": warehouses[wi][1],
            "reasons": reason_codes(reasons[row_i]),
            "covers": [s for j, s in enumerate(skus) if cover >> j & 1],
            "raw": dict(zip(_NAMES, raw[n].tolist(), strict=True)),
            "norm": dict(zip(_NAMES, norm[n].tolist(), strict=True)) if norm is not None else {},
            "score": float(score[n]) if score is not None else 0.0,
        }
        if holds is not None:
            cand["holds"] = holds[n]
        candidates.append(cand)
    scored = set(scored_rows)
    groups: dict[int, list[int]] = {}
    for row_i, wi in enumerate(wl):
        if row_i not in scored:
            groups.setdefault(reasons[row_i], []).append(wi)
    unseen = sorted(set(range(n_w)) - set(wl))
    if unseen:
        groups.setdefault(_STOCK, []).extend(unseen)
    excluded = [
        {"reasons": reason_codes(bits), "warehouses": [ids[i] for i in sorted(pos)]}
        for bits, pos in sorted(groups.items())
    ]
    name, version, weights, cw = data["p"]
    d = data["d"]
    return {
        "version": SNAPSHOT_VERSION,
        "order_id": row["order_id"],
        "now_ns": data.get("now", row["at_ns"]),
        "basis": data["b"],
        "mode": data["m"],
        "lines": data["l"],
        "profile": {
            "name": name,
            "version": version,
            "weights": dict(zip(_NAMES, weights, strict=True)),
            "carrier_weights": cw,
        },
        "rules": d[5],
        "directives": {
            "profile": d[0],
            "prefer": d[1],
            "exclude": d[2],
            "carrier": d[3],
            "split_allowed": d[4],
            "avoid": d[6] if len(d) > 6 else [],
        },
        "split_allowed": data["sa"],
        "max_parcels": data["mp"],
        "min_units": data.get("mu", 1),
        "objectives": list(_NAMES),
        "candidates": candidates,
        "excluded": excluded,
        "plan": plan,
        "risk": risk,
    }


def fired_ids(row: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    """The rule-set version that decided a row, and the ids of the rules that fired."""
    data = orjson.loads(row["data"])
    ids = data.get("rules") or ""
    return data.get("rv"), [i for i in ids.split(",") if i]


@dataclass(frozen=True, slots=True)
class RecordedRules:
    """What the rules said when a decision was made (a re-route keeps what they said at intake)."""

    directives: Directives
    #: The ids of the rules that fired, and the version of the rule set they belong to.
    fired: tuple[str, ...]
    version: int | None


#: A decision made with no rule live.
NO_RULES = RecordedRules(Directives(), (), None)


def directives_of(row: Mapping[str, Any]) -> RecordedRules:
    """The routing directives, the ids of the rules fired and their version, as recorded with a
    decision: the compact row keeps the directives by position (``snapshots._row``), a full
    snapshot by name."""
    data = orjson.loads(row["data"])
    fired = tuple(i for i in (data.get("rules") or "").split(",") if i)
    if "full" in data:
        d = data["full"].get("directives") or {}
        stored = [d.get("profile"), d.get("prefer"), d.get("exclude", []), d.get("carrier"),
                  d.get("split_allowed"), data["full"].get("rules", [])]  # fmt: skip
    else:
        stored = data.get("d")
    if not stored:
        return RecordedRules(Directives(), fired, data.get("rv"))
    profile, prefer, exclude, carrier, split_allowed, rule_ids = stored[:6]
    avoid = stored[6] if len(stored) > 6 else (data.get("full") or {}).get("directives", {}).get("avoid", [])
    directives = Directives(
        avoid_carriers=frozenset(avoid),
        profile=profile,
        prefer=prefer,
        exclude=frozenset(exclude),
        carrier=carrier,
        split_allowed=split_allowed,
        rule_ids=tuple(rule_ids),
    )
    return RecordedRules(directives, fired, data.get("rv"))
