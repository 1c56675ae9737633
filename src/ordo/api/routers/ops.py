"""Operations: liveness of the store and Prometheus metrics. No authentication,
so probes and scrapers need no key; neither answer carries business data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ordo.api.deps import OrdoDep
from ordo.api.metrics import ApiMetrics
from ordo.domain.errors import StoreError
from ordo.service.orders import queries

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Is the store reachable?")
def healthz(ordo: OrdoDep) -> JSONResponse:
    try:
        dialect = queries.ping(ordo)
    except StoreError as exc:
        return JSONResponse({"status": "unavailable", "error": exc.code, "message": exc.message}, 503)
    return JSONResponse({"status": "ok", "store": dialect})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
