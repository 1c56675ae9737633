"""Risk events as stored and as shown: a row to a :class:`RiskEvent`, to the router's
:class:`EventSignal`, to the API's view; the history row written beside every change.

Never commits: callers pass their unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ordo.domain.risk import (
    Assets,
    EventSignal,
    ImpactStatus,
    RiskEvent,
    RiskKind,
    Severity,
    area_from_json,
    area_to_json,
)
from ordo.domain.risk.model import KIND_LABELS
from ordo.service.ports import UnitOfWork


def _split(text: str | None) -> frozenset[str]:
    return frozenset(x for x in (text or "").split(",") if x)


def event_of(row: Mapping[str, Any]) -> RiskEvent:
    geo = orjson.loads(row["geometry"]) if row["geometry"] else {}
    assets = geo.get("assets") or {}
    return RiskEvent(
        id=row["id"],
        kind=RiskKind(row["kind"]),
        title=row["title"],
        severity=Severity(row["severity"]),
        confidence=float(row["confidence"]),
        source=row["source"],
        area=area_from_json(geo.get("area")),
        assets=Assets(
            frozenset(assets.get("warehouses", ())),
            frozenset(assets.get("carriers", ())),
            frozenset(assets.get("lanes", ())),
        ),
        starts_at_ns=row["starts_at_ns"],
        ends_at_ns=row["ends_at_ns"],
        status=ImpactStatus(row["status"]),
        source_ref=row["source_ref"],
        confirmed_hours=row["confirmed_hours"],
        owners=tuple(x for x in row["owners"].split(",") if x),
    )


def geometry_json(event: RiskEvent) -> str:
    a = event.assets
    doc = {
        "area": area_to_json(event.area),
        "assets": {
            "warehouses": sorted(a.warehouses),
            "carriers": sorted(a.carriers),
            "lanes": sorted(a.lanes),
        },
    }
    return orjson.dumps(doc).decode()


def signal_of(row: Mapping[str, Any]) -> EventSignal:
    """A live event's row as the router sees it (its covered warehouses as written)."""
    ev = event_of(row)
    zh, en = KIND_LABELS[ev.kind]
    return EventSignal(
        event_id=ev.id,
        zh=f"{zh}「{ev.title}」",
        en=f"{en} '{ev.title}'",
        weight=ev.weight,
        blocks=ev.blocks,
        warehouses=_split(row["warehouses"]),
        carriers=_split(row["carriers"]),
        closes_carriers=ev.closes_carriers,
    )


def covered_of(row: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(division codes, warehouses, carriers) an event covered when it was written."""
    return _split(row["adcodes"]), _split(row["warehouses"]), _split(row["carriers"])


def event_view(row: Mapping[str, Any], now_ns: int) -> dict[str, Any]:
    ev = event_of(row)
    zh, en = KIND_LABELS[ev.kind]
    adcodes, warehouses, carriers = covered_of(row)
    return {
        "id": ev.id,
        "kind": ev.kind.value,
        "kind_label": {"zh": zh, "en": en},
        "title": ev.title,
        "severity": ev.severity.value,
        "confidence": ev.confidence,
        "weight": ev.weight,
        "blocks": ev.blocks,
        "closes_carriers": ev.closes_carriers,
        "source": ev.source,
        "source_ref": ev.source_ref,
        "area": area_to_json(ev.area),
        "assets": {
            "warehouses": sorted(ev.assets.warehouses),
            "carriers": sorted(ev.assets.carriers),
            "lanes": sorted(ev.assets.lanes),
        },
        "covered": {
            "divisions": len(adcodes),
            "provinces": sorted({c[:2] + "0000" for c in adcodes}),
            "warehouses": sorted(warehouses),
            "carriers": sorted(carriers),
        },
        "starts_at_ns": ev.starts_at_ns,
        "ends_at_ns": ev.ends_at_ns,
        "active": ev.active_at(now_ns),
        "status": ev.status.value,
        "confirmed_hours": ev.confirmed_hours,
        "owners": list(ev.owners),
        "created_at_ns": row["created_at_ns"],
        "updated_at_ns": row["updated_at_ns"],
    }


def audit(uow: UnitOfWork, subject: str, now_ns: int, actor: str, action: str, **detail: Any) -> None:
    uow.risk.add_history(subject, now_ns, actor, action, orjson.dumps(detail, default=str).decode())


def history_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"at_ns": r["at_ns"], "actor": r["actor"], "action": r["action"], "detail": orjson.loads(r["detail"])}
        for r in rows
    ]
