"""Operations: liveness and readiness probes, the store's health, Prometheus metrics. No
authentication, so probes and scrapers need no key; no answer carries business data.

``/livez``: the process answers (nothing else is asked: a restart would not fix a store
that is down). ``/readyz``: the store accepts a write and every configured broker a
connection (``service/runtime/health.py``); 503 with each check's reason when not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ordo.api.deps import OrdoDep
from ordo.api.metrics import ApiMetrics
from ordo.domain.errors import StoreError
from ordo.service.orders import queries
from ordo.service.runtime import health, supervision

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Is the store reachable?")
def healthz(ordo: OrdoDep) -> JSONResponse:
    try:
        dialect = queries.ping(ordo)
    except StoreError as exc:
        return JSONResponse({"status": "unavailable", "error": exc.code, "message": exc.message}, 503)
    # This node's workers (restarts, crash loops) and background duties (lease held or standby).
    return JSONResponse({"status": "ok", "store": dialect, "node": supervision.node_health(ordo)})


@router.get("/livez", summary="Is this process serving? (asks nothing of the store)")
async def livez() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz", summary="Can this process take work? The store accepts a write; brokers connect")
def readyz(ordo: OrdoDep) -> JSONResponse:
    report = health.readiness(ordo)
    return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry: ApiMetrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
