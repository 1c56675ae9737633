"""Build the HTTP API around an Ordo instance: routers, auth, errors, limits, metrics, docs.

``create_app`` creates nothing live by itself: the caller (CLI ``serve``, tests)
bootstraps the Ordo and hands it in, and owns it. ``from_env`` is the factory each
worker process of ``ordo serve --workers N`` calls: it bootstraps its own Ordo from
``ORDO_*`` and owns it for the life of the process.
"""

from __future__ import annotations

from fastapi import FastAPI

from ordo import __version__
from ordo.api import batching, contract, docs, errors
from ordo.api.former_paths import former_paths
from ordo.api.metrics import ApiMetrics
from ordo.api.middleware import BodyLimit, RequestMetrics
from ordo.api.routers import (
    ask,
    channels,
    chatbots,
    customers,
    forecast,
    health,
    holds,
    incidents,
    intents,
    inventory,
    milestones,
    ops,
    orders,
    risk,
    routing,
    rule_actions,
    rule_palette,
    rules,
    segments,
    session,
    shops,
    stats,
    status_updates,
    stream,
    subscriptions,
    substitutes,
    tasks,
    telemetry,
    tracking,
    users,
    warehouses,
    worklist,
)
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.service.runtime.app import Ordo
from ordo.web import install as install_web

DESCRIPTION = """\
Ordo's order hub API / Ordo 订单中枢接口.

* Authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`; the dashboard signs in
  with `POST /api/v1/session` (a cookie, plus `X-CSRF-Token` on writes).
* Amounts are integer fen (分). Times are ISO-8601 strings (no offset = UTC+8);
  responses carry both `x_ns` (UTC nanoseconds) and `x` (ISO-8601, UTC+8).
* Errors are JSON `{"error": code, "message": ..., "details": {...}}`.
"""


def create_app(ordo: Ordo, settings: Settings, *, stream_heartbeat_s: float = 15.0) -> FastAPI:
    app = FastAPI(
        title="Ordo",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by ordo.api.docs from local assets
        redoc_url=None,  # ReDoc has no offline bundle here; Swagger UI is enough
        lifespan=batching.lifespan,  # the micro-batchers behind webhooks and order submission
    )
    app.state.ordo = ordo
    app.state.settings = settings
    app.state.metrics = metrics = ApiMetrics()
    app.state.stream_heartbeat_s = stream_heartbeat_s

    # Routes are matched in this order, at a cost for every router passed: the channels'
    # webhook and the order reads, the hottest routes, come first (no paths overlap).
    routers = (channels, orders, milestones, warehouses, inventory, stream, ops, customers, rules, routing)
    later = (stats, tracking, status_updates, subscriptions, incidents, telemetry, health, holds, substitutes)
    people = (session, users)
    # worklist: the order workbench, /worklist paths; rule_actions: freezes and notify channels
    insight = (ask, chatbots, intents, forecast, segments, tasks)
    for module in (*routers, *later, *people, worklist, shops, rule_actions, risk, *insight):
        app.include_router(module.router)
    app.include_router(rule_palette.router)  # the Rules page's palette (/rules/palette)
    # The paths these two had before they were renamed (served, not redirected: see former_paths).
    app.include_router(former_paths(incidents.router, new="/incidents", old="/exceptions"))
    app.include_router(former_paths(subscriptions.router, new="/subscriptions", old="/webhooks"))
    docs.install(app)
    install_web(app)  # the dashboard at / and the tracking page at /track/{token}
    errors.install(app)
    contract.install(app)  # every operation's errors in OpenAPI; auth before a malformed body

    # Added last = runs first: metrics see every answer, including the 413s.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


def from_env() -> FastAPI:
    """The app of one server worker process, over an Ordo built from the environment."""
    from ordo.service.runtime.warmup import settle_heap, warm_up

    settings = Settings.from_env()
    ordo = bootstrap(settings)
    warm_up(ordo)
    app = create_app(ordo, settings)
    settle_heap()
    return app
