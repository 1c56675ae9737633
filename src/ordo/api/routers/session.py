"""The dashboard's sign-in: ``POST /session`` (login), ``GET /session`` (who am I),
``DELETE /session`` (sign out).

The session token travels only in an HttpOnly, SameSite=Strict cookie (Secure over https,
or as ``ORDO_COOKIE_SECURE`` says); the CSRF token comes back in the JSON and must be echoed
in ``X-CSRF-Token`` on every write made with the cookie. Failed sign-ins are limited per
login and per client address (429); password checks at once are bounded per process
(503). Keys still work everywhere; this is for people at a browser.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import SESSION_COOKIE, JsonBody, OrdoDep, Principal, SettingsDep, authenticated
from ordo.api.oidc import FLOW_COOKIE, FLOW_TTL_S, OidcClient, OidcConfig
from ordo.api.routers import API_PREFIX
from ordo.config import Settings
from ordo.domain.access import PERMISSIONS
from ordo.domain.errors import NotFound, Unauthenticated
from ordo.service import people
from ordo.service.people.sessions import SESSION_TTL_S, SignInGate

router = APIRouter(prefix=API_PREFIX, tags=["session"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=256)


def whoami(p: Principal) -> dict[str, Any]:
    """The caller as the dashboard needs it: name, role, permissions, scope."""
    return {
        "name": p.name,
        "label": p.label,
        "login": p.login,
        "key_id": p.key_id,
        "person": p.person,
        "role": p.role.value,
        "permissions": sorted(x.value for x in PERMISSIONS[p.role]),
        "scope": p.scope.as_dict(),
        "session": p.session,
    }


def _secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure == "always":
        return True
    if settings.cookie_secure == "never":
        return False
    return request.url.scheme == "https"


def _gate(request: Request) -> SignInGate:
    """This process's bound on password hashes at once (one per core unless set beforehand)."""
    state = request.app.state
    if not hasattr(state, "sign_in_gate"):
        state.sign_in_gate = SignInGate()
    gate: SignInGate = state.sign_in_gate
    return gate


@router.post(
    "/session",
    summary="Sign in with a login and password; sets the session cookie, returns the CSRF token",
    responses={
        401: {"description": "wrong login or password"},
        429: {"description": "too many failures for the login or from the address (Retry-After)"},
        503: {"description": "every sign-in slot is checking a password (Retry-After)"},
    },
)
async def sign_in(
    request: Request, response: Response, ordo: OrdoDep, settings: SettingsDep, _json: JsonBody, body: LoginIn
) -> dict[str, Any]:
    client, gate = (request.client.host if request.client else None), _gate(request)
    done = await run_in_threadpool(
        lambda: people.sign_in(ordo, body.login, body.password, client=client, gate=gate)
    )
    response.set_cookie(
        SESSION_COOKIE, done.token, max_age=SESSION_TTL_S, path="/", httponly=True, samesite="strict",
        secure=_secure(request, settings),
    )  # fmt: skip
    return {**whoami(Principal.of(done.caller, session=True)), "csrf_token": done.csrf_token}


@router.get("/session", summary="Who is signed in (or which key calls), with the session's CSRF token")
async def current(
    request: Request, principal: Annotated[Principal, Depends(authenticated)]
) -> dict[str, Any]:
    out = whoami(principal)
    if principal.session:
        _, csrf = await run_in_threadpool(
            people.session_caller, request.app.state.ordo, request.cookies.get(SESSION_COOKIE, ""),
            csrf=None, write=False,
        )  # fmt: skip
        out["csrf_token"] = csrf
    return out


@router.delete(
    "/session",
    status_code=204,
    summary="Sign out: the session ends and its cookie is cleared",
    responses={
        401: {"description": "not signed in"},
        403: {"description": "the session's X-CSRF-Token header is missing or wrong"},
    },
)
async def sign_out(request: Request, ordo: OrdoDep, settings: SettingsDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("not signed in / 未登录")
    await authenticated(request)  # a sign-out is a write: it needs the session's CSRF token
    await run_in_threadpool(people.sign_out, ordo, cookie)
    out = Response(status_code=204)
    out.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request, settings)
    )
    return out


# -- OpenID Connect (when configured) -----------------------------------------------------
_OIDC_PATH = f"{API_PREFIX}/session/oidc"


def _oidc(request: Request) -> OidcClient | None:
    """This process's OIDC client, from ``ORDO_OIDC_*`` on first use (None: not configured)."""
    state = request.app.state
    if not hasattr(state, "oidc_client"):
        config = OidcConfig.from_env(os.environ)
        state.oidc_client = OidcClient(config) if config else None
    client: OidcClient | None = state.oidc_client
    return client


def _configured(request: Request) -> OidcClient:
    client = _oidc(request)
    if client is None:
        raise NotFound("sign-in through an identity provider is not configured / 未配置统一身份登录")
    return client


@router.get("/session/oidc", summary="Whether sign-in through an OpenID Connect provider is offered")
async def oidc_offered(request: Request) -> dict[str, Any]:
    client = _oidc(request)
    return {"enabled": client is not None, "start": f"{_OIDC_PATH}/start" if client else None}


@router.get(
    "/session/oidc/start",
    summary="Begin signing in through the OpenID Connect provider (a redirect to it)",
    status_code=302,
    response_class=RedirectResponse,
    responses={404: {"description": "not configured"}, 503: {"description": "the provider did not answer"}},
)
async def oidc_start(request: Request, settings: SettingsDep) -> RedirectResponse:
    client = _configured(request)
    url, flow = await run_in_threadpool(client.start)
    out = RedirectResponse(url, status_code=302)
    # Lax, not Strict: the provider's redirect back is a top-level navigation from its site.
    out.set_cookie(
        FLOW_COOKIE, flow, max_age=FLOW_TTL_S, path=_OIDC_PATH, httponly=True, samesite="lax",
        secure=_secure(request, settings),
    )  # fmt: skip
    return out


@router.get(
    "/session/oidc/callback",
    summary="The provider's redirect back: the code exchanged, the person signed in, sent to the dashboard",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        401: {"description": "the sign-in was not started here or expired"},
        403: {"description": "the ID token does not verify, or the person is not admitted"},
        404: {"description": "not configured"},
        503: {"description": "the provider did not answer"},
    },
)
async def oidc_callback(
    request: Request,
    ordo: OrdoDep,
    settings: SettingsDep,
    code: Annotated[str, Query(min_length=1, max_length=2048)],
    state: Annotated[str, Query(min_length=1, max_length=200)],
) -> RedirectResponse:
    client = _configured(request)
    flow = request.cookies.get(FLOW_COOKIE)

    def finish() -> people.SignedIn:
        subject, name, role = client.admit(client.finish(code, state, flow))
        user = people.oidc_user(ordo, client.config.issuer, subject, name, role)
        return people.open_session(ordo, user)

    done = await run_in_threadpool(finish)
    out = RedirectResponse("/", status_code=303)
    out.delete_cookie(
        FLOW_COOKIE, path=_OIDC_PATH, httponly=True, samesite="lax", secure=_secure(request, settings)
    )
    out.set_cookie(
        SESSION_COOKIE, done.token, max_age=SESSION_TTL_S, path="/", httponly=True, samesite="strict",
        secure=_secure(request, settings),
    )  # fmt: skip
    return out
