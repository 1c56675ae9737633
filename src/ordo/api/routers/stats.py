"""Read-side figures for the dashboard: who am I, and the overview's live aggregates.

Cheap by construction: the overview is an incrementally maintained projection of the
outbox (:mod:`ordo.service.overview`), so a request reads only what changed since the
last one, whatever the number of stored orders.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.domain.access import PERMISSIONS
from ordo.service.app import Ordo
from ordo.service.overview import Overview

router = APIRouter(prefix=API_PREFIX, tags=["dashboard"])
_create = threading.Lock()


def _overview(request: Request) -> Overview:
    with _create:
        found: Overview | None = getattr(request.app.state, "overview", None)
        if found is None:
            found = request.app.state.overview = Overview()
        return found


@router.get("/me", summary="The caller's key id, role and permissions (for role-aware pages)")
def me(principal: Reader) -> dict[str, Any]:
    return {
        "key_id": principal.key_id,
        "role": principal.role.value,
        "permissions": sorted(p.value for p in PERMISSIONS[principal.role]),
    }


def _snapshot(ordo: Ordo, overview: Overview) -> dict[str, Any]:
    overview.refresh(ordo)
    with ordo.store.uow(read_only=True) as uow:
        carriers = {c.id for c in uow.catalog.carriers()}
    now = ordo.clock.now_ns()
    return with_times({"as_of_ns": now, **overview.snapshot(now, carriers)})


@router.get("/stats/overview", summary="Live overview: orders, flow by channel, provinces, on-time, problems")
async def stats_overview(request: Request, ordo: OrdoDep, _p: Reader) -> dict[str, Any]:
    return await run_in_threadpool(_snapshot, ordo, _overview(request))
