"""Read-side figures for the dashboard: who am I, and the overview's aggregates.

Cheap by construction: the overview is a persisted projection of the outbox
(:mod:`ordo.service.events.projector`), so a request applies only what changed since the last
one and reads a few hundred counter rows, whatever the number of stored orders, in a
process that has just started as in one that has served for days.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import OrdoDep, Reader
from ordo.api.render import with_times
from ordo.api.routers import API_PREFIX
from ordo.api.routers.session import whoami
from ordo.service.events.overview import snapshot

router = APIRouter(prefix=API_PREFIX, tags=["dashboard"])


@router.get("/me", summary="The caller's name, key id, role, permissions and scope (for role-aware pages)")
def me(principal: Reader) -> dict[str, Any]:
    return whoami(principal)


@router.get("/stats/overview", summary="Live overview: orders, flow by channel, provinces, on-time, problems")
async def stats_overview(ordo: OrdoDep, principal: Reader) -> dict[str, Any]:
    principal.unbound_only("the overview / 总览")
    return with_times(await run_in_threadpool(snapshot, ordo))
