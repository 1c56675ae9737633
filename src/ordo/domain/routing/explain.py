"""Why this warehouse, why not that one — in words (zh / en) and numbers, from a snapshot alone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ordo.domain.routing.profiles import LABELS, Objective
from ordo.domain.routing.snapshot import excluded_for, reason_label

Lang = Literal["zh", "en"]


def _label(name: str, lang: Lang) -> str:
    zh, en, _ = LABELS[Objective(name)]
    return zh if lang == "zh" else en


def _value(name: str, v: float) -> str:
    unit = LABELS[Objective(name)][2]
    if unit == "fen":
        return f"¥{v / 100:.2f}"
    # Unitless objectives (shares, inverse days of cover) can be tiny: keep their digits.
    return f"{v:.1f} {unit}" if unit else f"{v:.3g}"


#: The difference, in each objective's own unit, that fills a whole bar in a comparison of
#: candidates: 24 hours, ¥10, 500 g CO2e, half the day's capacity, … A bar is the
#: candidate's distance from the best one over the larger of this span and the candidates'
#: own spread, so near-equal values (a saturation of 0.000194 against 0) stay near-empty
#: bars instead of being stretched to the full width as min-max normalisation does.
BAR_SPAN: Mapping[Objective, float] = {
    Objective.TIME: 24.0,
    Objective.COST: 1_000.0,
    Objective.CARBON: 500.0,
    Objective.SATURATION: 0.5,
    Objective.DEPTH: 1.0,
    Objective.RISK: 1.0,
    Objective.CLASS: 2.0,
}


def bars(snap: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Per scored candidate, per objective, a bar length in [0, 1] (0: the best value)."""
    cands = snap["candidates"]
    out: dict[str, dict[str, float]] = {c["warehouse"]: {} for c in cands}
    for k in snap["objectives"]:
        values = [float(c["raw"][k]) for c in cands]
        if not values:
            continue
        lo, hi = min(values), max(values)
        span = max(hi - lo, BAR_SPAN[Objective(k)])
        for c, v in zip(cands, values, strict=True):
            out[c["warehouse"]][k] = round(min(1.0, (v - lo) / span), 4)
    return out


def why_not(snap: Mapping[str, Any], other: str, lang: Lang = "zh") -> str:
    """Why ``other`` was not chosen: excluded (by what), or scored worse (by how much, where)."""
    return _why_not(snap, other, lang)


def explain(
    snap: Mapping[str, Any],
    lang: Lang = "zh",
    other: str | None = None,
    carriers: Mapping[str, str] | None = None,
) -> str:
    """The chosen warehouse with each objective's raw value, normalised value and weight;
    with ``other``, why that warehouse was not chosen (excluded, or scored worse and by what).
    ``carriers`` names the carriers (顺丰速运 rather than ``sf``) where the caller knows them."""
    zh = lang == "zh"
    names = carriers or {}
    plan = snap["plan"]
    prof = snap["profile"]
    weights: Mapping[str, float] = prof["weights"]
    by_id = {c["warehouse"]: c for c in snap["candidates"]}
    head = f"{'权重方案' if zh else 'weight profile'} {prof['name']} v{prof['version']}"
    if snap["rules"]:
        head += f"; {'命中规则' if zh else 'rules fired'}: {', '.join(snap['rules'])}"
    lines = [head]
    if not plan["parcels"]:
        why = {
            "no_candidate": ("没有仓库能满足全部硬约束", "no warehouse passes every hard constraint"),
            "split_forbidden": ("需要拆单但策略禁止拆单", "a split is needed but the policy forbids it"),
            "no_carrier": ("没有快递能承运", "no carrier can take it"),
        }[plan["reason"]]
        lines.append(("未分配：" if zh else "not routed: ") + (why[0] if zh else why[1]))
    for p in plan["parcels"]:
        c = by_id[p["warehouse"]]
        lines.append(
            (
                f"选择 {c['name']}（{c['warehouse']}），综合得分 {c['score']:.3f}（越低越好），"
                f"承运商 {names.get(p['carrier'], p['carrier'])}，运费 ¥{p['cost_fen'] / 100:.2f}，"
                f"距离 {p.get('km', 0):.0f} 公里"
            )
            if zh
            else (
                f"chose {c['warehouse']} ({c['name']}), score {c['score']:.3f} (lower is better), "
                f"carrier {names.get(p['carrier'], p['carrier'])}, freight ¥{p['cost_fen'] / 100:.2f}, "
                f"{p.get('km', 0):.0f} km away"
            )
        )
        for k in snap["objectives"]:
            n, wgt = c["norm"][k], weights[k]
            lines.append(
                f"  {_label(k, lang)}: {_value(k, c['raw'][k])} → {n:.2f} × {wgt:.2f} = {n * wgt:.3f}"
            )
    if snap.get("mode") == "units" and len(plan["parcels"]) > 1:
        lines.append(units_split_text(snap, lang))
    lines.extend(risk_lines(snap, lang))
    if other is None:
        n_ex = sum(len(g["warehouses"]) for g in snap["excluded"])
        lines.append(
            f"{'候选' if zh else 'candidates'}: {len(snap['candidates'])}, "
            f"{'排除' if zh else 'excluded'}: {n_ex}"
        )
        return "\n".join(lines)
    lines.append(_why_not(snap, other, lang))
    return "\n".join(lines)


def _why_not(snap: Mapping[str, Any], other: str, lang: Lang) -> str:
    zh = lang == "zh"
    reasons = excluded_for(snap, other)
    if reasons is not None:
        why = ("；" if zh else "; ").join(reason_label(r, lang) for r in reasons)
        if zh:
            return f"未选 {other}：被硬约束排除 — {why}"
        return f"not {other}: excluded by hard constraints — {why}"
    by_id = {c["warehouse"]: c for c in snap["candidates"]}
    if other not in by_id:
        return f"{other} 不是候选仓库" if zh else f"{other} is not a warehouse of this decision"
    chosen = [p["warehouse"] for p in snap["plan"]["parcels"]]
    if other in chosen:
        return f"{other} 已被选中" if zh else f"{other} was chosen"
    them, us = by_id[other], by_id[chosen[0]] if chosen else None
    if us is None:
        return f"{other} 可选但订单未分配" if zh else f"{other} was eligible but the order was not routed"
    weights = snap["profile"]["weights"]
    gaps = sorted(
        ((k, (them["norm"][k] - us["norm"][k]) * weights[k]) for k in snap["objectives"]),
        key=lambda kv: -kv[1],
    )
    worse = [
        f"{_label(k, lang)} +{g:.3f} ({_value(k, them['raw'][k])} vs {_value(k, us['raw'][k])})"
        for k, g in gaps
        if g > 0
    ][:3]
    gap = them["score"] - us["score"]
    if zh:
        return (
            f"未选 {other}：得分 {them['score']:.3f}，比 {us['warehouse']} 高 {gap:.3f}；"
            f"主要差在 {'、'.join(worse) or '优先仓规则'}"
        )
    return (
        f"not {other}: score {them['score']:.3f}, {gap:.3f} above {us['warehouse']}; "
        f"mostly {', '.join(worse) or 'the preferred-warehouse rule'}"
    )


def units_split_text(snap: Mapping[str, Any], lang: Lang = "zh") -> str:
    """Why a line's units ship from several warehouses, how many from each, and what the
    extra parcels cost (their freight: the first parcel would have been paid anyway)."""
    zh = lang == "zh"
    plan = snap["plan"]
    names = {c["warehouse"]: c["name"] for c in snap["candidates"]}
    parts = []
    for j, (sku, need) in enumerate(snap["lines"]):
        most = max((int(c["holds"][j]) for c in snap["candidates"] if "holds" in c), default=0)
        if most >= need:
            continue
        sent = [
            (names.get(p["warehouse"], p["warehouse"]), q)
            for p in plan["parcels"]
            for s, q in p["lines"]
            if s == sku
        ]
        where = ("、" if zh else ", ").join(f"{n} {q} {'件' if zh else 'units'}" for n, q in sent)
        parts.append(
            f"{sku} 需要 {need} 件，没有一个仓库有这么多（最多 {most} 件），按数量拆分：{where}"
            if zh
            else f"{sku}: {need} units needed and no warehouse holds them all (at most {most}), "
            f"so the units are split: {where}"
        )
    extra = plan["parcels"][1:]
    fen = sum(int(p["cost_fen"]) for p in extra)
    if zh:
        return "；".join(parts) + f"。多出 {len(extra)} 个包裹，运费多 ¥{fen / 100:.2f}"
    return "; ".join(parts) + f". {len(extra)} extra parcel(s), ¥{fen / 100:.2f} more freight"


def risk_lines(snap: Mapping[str, Any], lang: Lang = "zh") -> list[str]:
    """The live outside events the decision weighed (typhoon, closure …), one line each:
    the warehouses or carriers it put risk on, and whether it closed them."""
    zh = lang == "zh"
    risk = snap.get("risk") or {}
    events: dict[str, tuple[str, float, bool, list[str]]] = {}
    for kind in ("warehouses", "carriers"):
        for target, notes in (risk.get(kind) or {}).items():
            for event_id, name_zh, name_en, weight, blocks in notes:
                name = name_zh if zh else name_en
                got = events.setdefault(str(event_id), (str(name), float(weight), bool(blocks), []))
                got[3].append(str(target))
    out = []
    for event_id, (name, weight, blocks, targets) in events.items():
        where = "、".join(targets) if zh else ", ".join(targets)
        if zh:
            effect = "停用（硬约束排除）" if blocks else f"风险 {weight:.2f}"
            out.append(f"风险事件 {name}（{event_id}）：{where} {effect}")
        else:
            effect = "closed (excluded by a hard constraint)" if blocks else f"risk {weight:.2f}"
            out.append(f"risk event {name} ({event_id}): {where} {effect}")
    return out
