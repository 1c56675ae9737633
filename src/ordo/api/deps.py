"""What every route may ask for: the Ordo instance, settings, the caller and their rights.

Authentication is ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. A missing
or bad key is 401; a key whose role lacks the permission is 403. Both are raised
before the body is validated, so a stranger learns nothing about the schema.

Authentication is one dependency that reads both headers itself (not FastAPI's
``HTTPBearer`` and ``APIKeyHeader`` plus the Ordo as three more): every dependency
costs a solve on every request, and on a cached key that was most of the work.
"""

from __future__ import annotations

import email.message
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer
from fastapi.security.base import SecurityBase
from starlette.concurrency import run_in_threadpool

from ordo.api.errors import UnsupportedMediaType
from ordo.config import Settings
from ordo.domain.access import Perm, Role, allowed, require
from ordo.domain.errors import Unauthenticated
from ordo.service.runtime import keys
from ordo.service.runtime.app import Ordo


# The dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` one in
# the thread pool, and that hop cost more than the work, several times per request.
async def get_ordo(request: Request) -> Ordo:
    ordo: Ordo = request.app.state.ordo
    return ordo


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


OrdoDep = Annotated[Ordo, Depends(get_ordo)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    role: Role

    @property
    def see_pii(self) -> bool:
        return allowed(self.role, Perm.READ_PII)

    @property
    def source(self) -> str:
        """How this caller is named in milestones and anomalies it causes."""
        return f"api:{self.key_id}"


class ApiKeyAuth(SecurityBase):
    """The caller, from a key verified lately (no I/O, no thread hop) or from the store.

    Keys are cached per process for a few seconds (:mod:`ordo.service.runtime.keys`): a key
    revoked through this process is refused at once, through another within the TTL.
    A ``SecurityBase``, so OpenAPI documents it (as the bearer scheme) like FastAPI's own.
    """

    def __init__(self) -> None:
        self.model = HTTPBearer(
            description="Authorization: Bearer ordo_<id>_<secret> (or the key in an X-API-Key header)"
        )
        self.scheme_name = "HTTPBearer"

    async def __call__(self, request: Request) -> Principal:
        token = _token(request)
        if not token:
            raise Unauthenticated(
                "an API key is required (Authorization: Bearer … or X-API-Key) / 需要 API 密钥",
            )
        ordo: Ordo = request.app.state.ordo
        found = keys.cached(ordo, token)
        if found is None:
            found = await run_in_threadpool(keys.authenticate, ordo, token)
        return Principal(*found)


def _token(request: Request) -> str:
    headers = request.headers
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    return headers.get("x-api-key", "").strip()


authenticated = ApiKeyAuth()


@functools.cache
def requires(perm: Perm) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits callers whose role has ``perm``.

    Cached, so each permission has one dependency object and FastAPI's per-request
    dependency cache authenticates a caller once however often it is asked.
    """

    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        require(principal.role, perm)
        return principal

    return check


Reader = Annotated[Principal, Depends(requires(Perm.READ))]


async def json_body(request: Request) -> None:
    """Refuse (415) bodies that do not say they are JSON, rather than guess."""
    value = request.headers.get("content-type")
    if value:
        message = email.message.Message()
        message["content-type"] = value
        subtype = message.get_content_subtype()
        if message.get_content_maintype() == "application" and (
            subtype == "json" or subtype.endswith("+json")
        ):
            return
    raise UnsupportedMediaType(
        "send the body as application/json / 请求体须为 application/json",
        details={"content_type": value},
    )


JsonBody = Annotated[None, Depends(json_body)]
