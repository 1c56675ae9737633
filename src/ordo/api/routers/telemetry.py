"""Cold-chain telemetry in: batches of sensor readings for orders (IoT gateways, integrations)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from ordo.api.deps import JsonBody, OrdoDep, Principal, Reader, requires
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, Time, length
from ordo.domain.access import Perm
from ordo.domain.incidents.telemetry import Reading
from ordo.service.incidents.telemetry import faulty_probes, ingest

router = APIRouter(prefix=API_PREFIX, tags=["telemetry"])

Reporter = Annotated[Principal, Depends(requires(Perm.MILESTONES_WRITE))]


class ReadingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    order_id: Annotated[str, length(24, 1), CLEAN]
    device_id: Annotated[str, length(64, 1), CLEAN]
    at: Time
    celsius: Annotated[float, Field(ge=-90, le=90, strict=True)]


class TelemetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    readings: Annotated[list[ReadingIn], Field(min_length=1, max_length=5_000)]


@router.post("/telemetry", summary="Temperature readings of cold-chain orders")
def post_telemetry(ordo: OrdoDep, _p: Reporter, _json: JsonBody, payload: TelemetryIn) -> dict[str, Any]:
    """An excursion (outside the product's range for longer than its dwell time) opens a
    ``cold_chain`` incident; a single noisy sample does not. A probe that is itself broken
    (impossible readings or jumps, disagreeing with a live second probe, flat-lined) raises
    a ``telemetry.probe_fault`` maintenance event instead of an order alert."""
    result = ingest(ordo, [Reading(r.order_id, r.device_id, r.at, r.celsius) for r in payload.readings])
    return {
        "accepted": result.accepted,
        "excursions": result.excursions,
        "exceptions_opened": result.opened,
        "probe_faults": result.probe_faults,
        "unknown_orders": result.unknown_orders,
        "not_cold_chain": result.not_cold,
    }


@router.get("/telemetry/probe-faults", summary="Probes judged broken (maintenance), newest first")
def get_probe_faults(
    ordo: OrdoDep, _p: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Probes whose readings are currently judged the probe's fault, not the goods'."""
    return {"items": faulty_probes(ordo, limit)}
