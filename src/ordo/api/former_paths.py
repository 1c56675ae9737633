"""Paths the API had before two resources were renamed, still answered.

``/api/v1/exceptions…`` became ``/api/v1/incidents…`` and ``/api/v1/webhooks…`` became
``/api/v1/subscriptions…``. The former paths are served by the same endpoints, not
redirected: a 308 keeps the method and the body only for a client that follows
redirects on POST and DELETE, and many API clients do not (curl without ``-L``, httpx
by default, most hand-written scripts), so a redirect would break exactly the callers
these paths are kept for. Served, they answer exactly as before.

The former routes stay out of the OpenAPI schema and are marked deprecated; each
successful answer on them says so with ``Deprecation`` (RFC 9745) and a ``Link`` to
its successor (RFC 8288). Request metrics keep their own route templates, which shows
who still calls them. The routes are derived from the new router, so the two can
never drift apart; this module owns no endpoint and never adds one by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute

from ordo.api.routers import API_PREFIX

#: When the former paths were deprecated (2026-12-06T00:00:00Z), as RFC 9745 writes it.
DEPRECATED_SINCE = "@1796515200"


def former_paths(router: APIRouter, *, new: str, old: str) -> APIRouter:
    """A router that serves every route of ``router`` under ``old`` instead of ``new``.

    ``new`` and ``old`` are path segments right after ``/api/v1`` (``"/incidents"``).
    """
    new_prefix, old_prefix = API_PREFIX + new, API_PREFIX + old
    former = APIRouter(dependencies=[Depends(_successor(new_prefix, old_prefix))])
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        if not (route.path == new_prefix or route.path.startswith(new_prefix + "/")):
            raise ValueError(f"{route.path} is not under {new_prefix}")
        former.add_api_route(
            old_prefix + route.path[len(new_prefix) :],
            route.endpoint,
            methods=sorted(route.methods or ()),
            status_code=route.status_code,
            dependencies=list(route.dependencies),
            summary=route.summary,
            name=f"{route.name}_former",
            deprecated=True,
            include_in_schema=False,
        )
    return former


def _successor(new_prefix: str, old_prefix: str) -> Callable[[Request, Response], None]:
    def mark(request: Request, response: Response) -> None:
        successor = new_prefix + request.url.path[len(old_prefix) :]
        response.headers["Deprecation"] = DEPRECATED_SINCE
        response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return mark
