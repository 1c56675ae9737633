"""What every route may ask for: the Ordo instance, settings, the caller and their rights.

Authentication is ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, or else the
dashboard's session cookie (:data:`SESSION_COOKIE`, from ``POST /api/v1/session``), whose
writes must echo the session's CSRF token in ``X-CSRF-Token`` (key requests need none: a
browser never adds a key by itself). A missing or bad key or session is 401; a caller whose
role lacks the permission, or whose scope (an integration's channels and operations) does
not reach, is 403. Both are raised before the body is validated, so a stranger learns
nothing about the schema.

Authentication is one dependency that reads both headers itself (not FastAPI's
``HTTPBearer`` and ``APIKeyHeader`` plus the Ordo as three more): every dependency
costs a solve on every request, and on a cached key that was most of the work.
"""

from __future__ import annotations

import email.message
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer
from fastapi.security.base import SecurityBase
from starlette.concurrency import run_in_threadpool

from ordo.api.errors import UnsupportedMediaType
from ordo.config import Settings
from ordo.domain.access import (
    UNBOUND,
    OutOfScope,
    Perm,
    Role,
    Scope,
    allowed,
    require,
    require_channels,
    require_operation,
    require_shops,
)
from ordo.domain.errors import Unauthenticated
from ordo.service.people import Caller, session_caller
from ordo.service.people.scope import key_shops, order_places
from ordo.service.rules import freezes
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


#: The dashboard's session cookie (HttpOnly, SameSite=Strict; Secure over https).
SESSION_COOKIE = "ordo_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: who (a person or an integration), with which role and scope."""

    key_id: str | None
    role: Role
    #: How audit rows name the caller: a user's display name, or the key's name.
    name: str = ""
    #: The identity approval separation compares (``user:<id>`` or ``key:<id>``).
    person: str = ""
    login: str | None = None
    user_id: str | None = None
    scope: Scope = UNBOUND
    #: Signed in through the dashboard's session cookie (not a key).
    session: bool = False

    @classmethod
    def of(cls, caller: Caller, *, session: bool = False) -> Principal:
        return cls(
            caller.key_id, caller.role, caller.name, caller.person, caller.login, caller.user_id,
            caller.scope, session,
        )  # fmt: skip

    @property
    def see_pii(self) -> bool:
        return allowed(self.role, Perm.READ_PII)

    @property
    def label(self) -> str:
        """Short and stable: the login, else the key's name (else its id)."""
        return self.login or self.name or self.key_id or "?"

    @property
    def source(self) -> str:
        """How this caller is named in milestones, anomalies and incident steps it causes."""
        return f"api:{self.label}"[:32]

    def require_channels(self, channels: Iterable[str], what: str) -> None:
        """403 unless every one of ``channels`` is within this caller's scope."""
        require_channels(self.scope, channels, what)

    def require_orders(self, ordo: Ordo, order_ids: Sequence[str], what: str) -> None:
        """403 unless every existing one of ``order_ids`` is of a channel and a shop within this
        caller's scope (one read, and only for a caller bound to channels or shops; unknown ids
        are the write's own 404). It reads the store: async routes run it in the thread pool."""
        if self.scope.channels or self.scope.shops:
            places = order_places(ordo, order_ids).values()
            self.require_channels((channel for channel, _ in places), what)
            require_shops(self.scope, (shop for _, shop in places), what)

    def require_keys(self, ordo: Ordo, keys: Sequence[tuple[str, str]], what: str) -> None:
        """403 unless every order named by (channel, external id) is of a channel and a shop
        within this caller's scope; for a caller bound to shops, an order no shop of theirs
        pulled (unknown yet, or pushed directly) is outside. It reads the store only for a
        caller bound to shops: async routes run it in the thread pool."""
        self.require_channels((channel for channel, _ in keys), what)
        if self.scope.shops and keys:
            shops = key_shops(ordo, keys)
            require_shops(self.scope, (shops.get(k) for k in keys), what)

    def read_channel(self, channel: str | None, what: str = "read") -> str | None:
        """The channel a list read is narrowed to: the one asked for (403 when outside the
        scope), else the caller's only channel; None for an unbound caller (every channel) or
        one bound to several (the rows are then filtered by :meth:`visible`)."""
        if channel is not None:
            self.require_channels([channel], what)
            return channel
        if len(self.scope.channels) == 1:
            return next(iter(self.scope.channels))
        return None

    def unbound_only(self, what: str) -> None:
        """403 for a caller bound to channels or shops: ``what`` is a figure over every
        channel, or a read that cannot be narrowed to a shop."""
        if self.scope.channels or self.scope.shops:
            raise OutOfScope(
                f"{what} covers every channel or shop: outside this caller's scope "
                f"/ {what} 涵盖全部渠道或店铺：超出此调用方的范围",
                details={"refused": what, "allowed_channels": sorted(self.scope.channels),
                         "allowed_shops": sorted(self.scope.shops)},
            )  # fmt: skip

    def visible(self, ordo: Ordo, rows: list[_Row], key: str = "id") -> list[_Row]:
        """``rows`` (each naming an order by ``key``) whose orders lie within this caller's
        channels and shops: all of them for an unbound caller, without a read."""
        if not (self.scope.channels or self.scope.shops):
            return rows
        places = order_places(ordo, [str(r[key]) for r in rows if r.get(key)])
        return [r for r in rows if self.sees(places.get(str(r.get(key))))]

    def sees(self, place: tuple[str, str | None] | None) -> bool:
        """Whether an order at ``place`` (channel, shop; None: no such order) is within scope."""
        if place is None:
            return False
        channel, shop = place
        return (not self.scope.channels or channel in self.scope.channels) and (
            not self.scope.shops or shop in self.scope.shops
        )


_Row = TypeVar("_Row", bound=Mapping[str, Any])


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
        ordo: Ordo = request.app.state.ordo
        if not token:
            cookie = request.cookies.get(SESSION_COOKIE)
            if cookie:
                return await signed_in(request, cookie)
            raise Unauthenticated(
                "an API key or a signed-in session is required (Authorization: Bearer … or X-API-Key) "
                "/ 需要 API 密钥或登录",
            )
        found = keys.cached(ordo, token)
        if found is None:
            found = await run_in_threadpool(keys.authenticate, ordo, token)
        return Principal.of(found)


async def signed_in(request: Request, cookie: str) -> Principal:
    """The caller of a session cookie; a write must carry the session's CSRF token."""
    write = request.method not in _SAFE_METHODS
    caller, _ = await run_in_threadpool(
        session_caller, request.app.state.ordo, cookie, csrf=request.headers.get(CSRF_HEADER), write=write
    )
    return Principal.of(caller, session=True)


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
def requires(perm: Perm) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits callers whose role has ``perm`` (and no rule froze it for the role).

    Cached, so each permission has one dependency object and FastAPI's per-request
    dependency cache authenticates a caller once however often it is asked.
    """

    async def check(request: Request, principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        require(principal.role, perm)
        require_operation(principal.scope, perm)
        if perm in freezes.FREEZABLE and principal.role is not Role.ADMIN:
            # A rule's 冻结 may have taken this permission from the role (403 naming the freeze).
            ordo: Ordo = request.app.state.ordo
            if not ordo.caches.freezes.fresh():
                await run_in_threadpool(freezes.refresh, ordo)
            freezes.check(ordo, principal.role, perm)
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
