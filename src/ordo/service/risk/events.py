"""Risk events: record one (API, CLI, a feed file), change its area, severity, window or
owners, judge its impact (potential → confirmed / no impact → restored), end it.

Every write runs in one unit of work with its history row; what an event's area covers
(division codes, warehouses) is worked out once here, on write, so the impact scan and
the router only read it. After each write this process's router reads the live events
again (other processes within ``SIGNALS_TTL_NS``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ordo.adapters.feeds import read_feed
from ordo.adapters.geo.areas import covered_divisions, covered_points
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.risk import Area, Assets, EventDraft, ImpactStatus, RiskEvent, Severity, check_status
from ordo.service.ports import UnitOfWork
from ordo.service.risk.records import audit, event_of, event_view, geometry_json, history_view
from ordo.service.runtime.app import Ordo

#: An event with no end stated is taken to last this long for promises at risk.
OPEN_ENDED_NS = 72 * 3600 * 1_000_000_000
MAX_OWNERS = 10


def _new_id(app: Ordo) -> str:
    return f"RE{app.clock.now_ns() // 1_000_000_000:x}{app.rng.getrandbits(48):012x}"[:32]


def _covered(app: Ordo, uow: UnitOfWork, area: Area | None, assets: Assets) -> tuple[str, str, str]:
    """(division codes, warehouses, carriers) the event covers, comma-joined for the row."""
    codes: frozenset[str] = frozenset()
    whs = set(assets.warehouses)
    known = {w.id: w for w in uow.catalog.warehouses()}
    unknown = sorted(whs - known.keys())
    if unknown:
        raise ValidationError(
            "assets.warehouses", f"unknown warehouses {unknown} / 未知仓库 {'、'.join(unknown)}"
        )
    if area is not None:
        codes = covered_divisions(area, app.divisions)
        whs |= covered_points(area, [(w.id, w.lat, w.lng, w.adcode) for w in known.values()])
    for lane in assets.lanes:
        origin, _, dest = lane.partition(">")
        if origin not in known or not (len(dest) == 6 and dest.isdigit()):
            raise ValidationError(
                "assets.lanes", f"a lane is warehouse>adcode: {lane!r} / 线路格式为 仓库>行政区划代码"
            )
    return ",".join(sorted(codes)), ",".join(sorted(whs)), ",".join(sorted(assets.carriers))


def _check(draft: EventDraft) -> None:
    if not draft.title.strip():
        raise ValidationError("title", "a title is required / 请填写事件标题")
    if not 0.0 <= draft.confidence <= 1.0:
        raise ValidationError("confidence", "confidence is 0..1 / 置信度应在 0 到 1 之间")
    if draft.area is None and draft.assets.empty:
        raise ValidationError(
            "area", "an event needs an area or named assets / 事件需要区域或指定的仓库/承运商/线路"
        )
    if (
        draft.ends_at_ns is not None
        and draft.starts_at_ns is not None
        and draft.ends_at_ns <= draft.starts_at_ns
    ):
        raise ValidationError("ends_at", "the end is after the start / 结束时间应晚于开始时间")
    if len(draft.owners) > MAX_OWNERS:
        raise ValidationError("owners", f"at most {MAX_OWNERS} owners / 负责人最多 {MAX_OWNERS} 个")


def record(app: Ordo, draft: EventDraft, *, actor: str) -> dict[str, Any]:
    """Record an event; a feed's event already known by (source, its id) is updated instead."""
    _check(draft)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            known = uow.risk.event_by_ref(draft.source, draft.source_ref) if draft.source_ref else None
            if known is None and draft.replaces:  # an update of earlier reports (CAP Update)
                known = next((r for r in _referenced(uow, draft) if ImpactStatus(r["status"]).live), None)
            codes, whs, carriers = _covered(app, uow, draft.area, draft.assets)
            event = RiskEvent(
                id=known["id"] if known else _new_id(app),
                kind=draft.kind,
                title=draft.title.strip()[:200],
                severity=draft.severity,
                confidence=draft.confidence,
                source=draft.source[:64],
                area=draft.area,
                assets=draft.assets,
                starts_at_ns=draft.starts_at_ns if draft.starts_at_ns is not None else now,
                ends_at_ns=draft.ends_at_ns,
                source_ref=draft.source_ref[:200],
                owners=draft.owners,
            )
            row = {
                "kind": event.kind.value,
                "title": event.title,
                "severity": event.severity.value,
                "confidence": event.confidence,
                "source": event.source,
                "source_ref": event.source_ref,
                "geometry": geometry_json(event),
                "adcodes": codes,
                "warehouses": whs,
                "carriers": carriers,
                "starts_at_ns": event.starts_at_ns,
                "ends_at_ns": event.ends_at_ns,
                "owners": ",".join(event.owners)[:400],
                "updated_at_ns": now,
            }
            if known:
                uow.risk.update_event(event.id, row)
                audit(uow, event.id, now, actor, "updated", source=event.source, warehouses=whs)
            else:
                row |= {"id": event.id, "status": ImpactStatus.POTENTIAL.value, "created_at_ns": now}
                uow.risk.add_event(row)
                audit(uow, event.id, now, actor, "recorded", source=event.source, warehouses=whs)
            uow.commit()
            saved = uow.risk.event(event.id)
            assert saved is not None
            return event_view(saved, now)

    out = app.retrying(work)
    app.caches.routing.invalidate_signals()
    return out


def import_feed(
    app: Ordo, data: bytes, *, fmt: str | None = None, actor: str, source: str = ""
) -> list[dict[str, Any]]:
    """Every event of a feed document (CAP, GeoJSON, GeoRSS), recorded or updated; a
    cancellation ends the events it names (their views are returned, ``ended_by`` set)."""
    drafts = read_feed(data, fmt, source=source)
    if source:
        drafts = [dataclasses.replace(d, source=source[:64]) for d in drafts]
    out: list[dict[str, Any]] = []
    for d in drafts:
        out += cancel(app, d, actor=actor) if d.cancels else [record(app, d, actor=actor)]
    return out


def _referenced(uow: UnitOfWork, draft: EventDraft) -> list[dict[str, Any]]:
    """The events recorded from the reports ``draft`` replaces (each report's info blocks:
    ``id``, ``id#1`` …), oldest first."""
    refs = [r for ref in draft.replaces for r in (ref, *(f"{ref}#{n}" for n in range(1, 10)))]
    if draft.cancels:
        return uow.risk.events_by_refs(refs)
    return uow.risk.events_by_refs(list(draft.replaces))


def cancel(app: Ordo, draft: EventDraft, *, actor: str) -> list[dict[str, Any]]:
    """End the live events a cancellation names (CAP Cancel); the rest are left as they are."""
    with app.store.uow(read_only=True) as uow:
        named = [r["id"] for r in _referenced(uow, draft) if ImpactStatus(r["status"]).live]
    note = f"cancelled by {draft.source_ref} / 预警已解除"[:500]
    return [end(app, event_id, actor=actor, note=note) | {"ended_by": draft.source_ref} for event_id in named]


def _row(uow: UnitOfWork, event_id: str) -> dict[str, Any]:
    row = uow.risk.event(event_id, lock=True)
    if row is None:
        raise NotFound(
            f"no risk event {event_id} / 风险事件 {event_id} 不存在", details={"event_id": event_id}
        )
    return row


def get(app: Ordo, event_id: str) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.risk.event(event_id)
        if row is None:
            raise NotFound(
                f"no risk event {event_id} / 风险事件 {event_id} 不存在", details={"event_id": event_id}
            )
        view = event_view(row, app.clock.now_ns())
        view["history"] = history_view(uow.risk.history(event_id))
        view["plans"] = [p["id"] for p in uow.risk.plans(event_id)]
    return view


def listing(app: Ordo, *, live_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        return [event_view(r, now) for r in uow.risk.events(live_only=live_only, limit=limit)]


def revise(
    app: Ordo,
    event_id: str,
    *,
    actor: str,
    severity: str | None = None,
    area: Area | None = None,
    ends_at_ns: int | None = None,
    owners: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Change what is known of an event as it moves: its severity, area (a new track), end, owners."""

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _row(uow, event_id)
            ev = event_of(row)
            changes: dict[str, Any] = {}
            if severity is not None:
                if severity not in Severity.__members__.values():
                    raise ValidationError(
                        "severity", "severity is minor, moderate, severe or extreme / 严重程度无效"
                    )
                changes["severity"] = severity
            if area is not None:
                ev = dataclasses.replace(ev, area=area)
                codes, whs, carriers = _covered(app, uow, area, ev.assets)
                changes |= {
                    "geometry": geometry_json(ev),
                    "adcodes": codes,
                    "warehouses": whs,
                    "carriers": carriers,
                }
            if ends_at_ns is not None:
                if ends_at_ns <= ev.starts_at_ns:
                    raise ValidationError("ends_at", "the end is after the start / 结束时间应晚于开始时间")
                changes["ends_at_ns"] = ends_at_ns
            if owners is not None:
                if len(owners) > MAX_OWNERS:
                    raise ValidationError(
                        "owners", f"at most {MAX_OWNERS} owners / 负责人最多 {MAX_OWNERS} 个"
                    )
                changes["owners"] = ",".join(o.strip() for o in owners if o.strip())[:400]
            if not changes:
                raise ValidationError("body", "nothing to change / 没有要修改的内容")
            uow.risk.update_event(event_id, changes | {"updated_at_ns": now})
            audit(
                uow, event_id, now, actor, "revised", **{k: v for k, v in changes.items() if k != "geometry"}
            )
            uow.commit()
            return event_view(_row(uow, event_id), now)

    out = app.retrying(work)
    app.caches.routing.invalidate_signals()
    return out


def set_status(
    app: Ordo, event_id: str, status: str, *, actor: str, hours: int | None = None, note: str = ""
) -> dict[str, Any]:
    """Judge an event's impact: confirmed (for ``hours``), no impact, restored (it ended)."""
    try:
        target = ImpactStatus(status)
    except ValueError:
        raise ValidationError(
            "status",
            "status is potential, confirmed, no_impact or restored / "
            "状态应为 potential、confirmed、no_impact 或 restored",
        ) from None
    if hours is not None and not 0 < hours <= 24 * 90:
        raise ValidationError("hours", "hours is 1..2160 / 影响时长应为 1 到 2160 小时")

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = _row(uow, event_id)
            check_status(event_id, ImpactStatus(row["status"]), target)
            changes: dict[str, Any] = {"status": target.value, "updated_at_ns": now}
            if target is ImpactStatus.CONFIRMED and hours is not None:
                changes["confirmed_hours"] = hours
            if target is ImpactStatus.RESTORED and (row["ends_at_ns"] is None or row["ends_at_ns"] > now):
                changes["ends_at_ns"] = max(now, row["starts_at_ns"] + 1)
            uow.risk.update_event(event_id, changes)
            audit(uow, event_id, now, actor, target.value, hours=hours, note=note[:500])
            uow.commit()
            return event_view(_row(uow, event_id), now)

    out = app.retrying(work)
    app.caches.routing.invalidate_signals()
    return out


def end(app: Ordo, event_id: str, *, actor: str, note: str = "") -> dict[str, Any]:
    """The event is over: restored, its window closed now; the router forgets it."""
    return set_status(
        app, event_id, ImpactStatus.RESTORED.value, actor=actor, note=note or "ended / 事件结束"
    )


def horizon_ns(row: dict[str, Any], now_ns: int) -> int:
    """Promises at or before this are at risk: the event's end, or 72 h ahead when open."""
    ends = row["ends_at_ns"]
    if row["confirmed_hours"]:
        ends = max(ends or 0, row["starts_at_ns"] + row["confirmed_hours"] * 3600 * 1_000_000_000)
    return int(ends) if ends is not None else max(now_ns, int(row["starts_at_ns"])) + OPEN_ENDED_NS
