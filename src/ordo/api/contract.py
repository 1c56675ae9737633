"""The OpenAPI contract told truly: every error an operation can answer, and auth before the body.

FastAPI documents what a route declares (its success status and, when it has parameters,
a 422 in FastAPI's own shape). Ordo's errors come from its dependencies and middleware:
a route that authenticates can answer 401 and 503 (the key is looked up in the store), one
that checks a permission 403, one with a JSON body 400 (malformed), 413 and 415, one with a
path parameter 404. :func:`document` reads each route's dependency tree and adds those
responses to the OpenAPI document, with the one error body every answer uses (``{"error",
"message", "details"}``, :class:`ErrorBody`), so a generated client is never surprised by a
status the schema did not name. A status only a route's own logic gives (a 409) is declared
on the route (``responses={409: {...}}``) and gets the same body here.

:func:`admit` is authentication before the body: FastAPI parses a JSON body before it solves
any dependency, so a stranger's malformed body would be told 400 (and where the parse failed)
before being told 401. The error handlers call it before answering a malformed body.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import Receive, Scope, Send

from ordo.api.deps import authenticated, get_ordo, json_body
from ordo.domain.errors import OrdoError

ERROR_SCHEMA = "Error"
_REF = f"#/components/schemas/{ERROR_SCHEMA}"

#: An exception handler as Starlette keeps them (sync or async).
Handler = Callable[[Request, Any], Response | Awaitable[Response]]


async def _answer(handler: Handler, request: Request, exc: Exception) -> Response:
    response = handler(request, exc)
    return await response if inspect.isawaitable(response) else response


class ErrorBody(BaseModel):
    """Every error Ordo answers, whatever the status."""

    error: str = Field(description="stable machine-readable code, e.g. not_found, validation_failed")
    message: str = Field(description="bilingual (English / Chinese) text for people")
    details: dict[str, Any] = Field(description="what the code needs: the field, the limit, the id …")


#: What each error status means on any Ordo operation.
_MEANING = {
    400: "the body is not JSON / 请求体不是合法的 JSON",
    401: "missing, invalid or revoked API key (or session) / 缺少或无效的 API 密钥",
    403: "the caller's role or scope does not allow this / 无权执行此操作",
    404: "no such resource / 资源不存在",
    409: "the request conflicts with the resource's state / 与资源当前状态冲突",
    413: "request body too large / 请求体过大",
    415: "the body is not sent as application/json / 请求体须为 application/json",
    422: "a field is invalid; details.field names it / 字段无效",
    429: "too many requests; retry later / 请求过多，请稍后重试",
    503: "the store is unavailable or lost a race; safe to retry / 存储暂不可用，可重试",
}


def _tree(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _tree(sub)


def _checks_permission(call: Any) -> bool:
    # ``deps.requires(perm)`` builds one ``check`` closure per permission.
    return getattr(call, "__qualname__", "").startswith("requires.")


def may(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the statuses only a route's own logic gives (a 409 from a state machine).

    :func:`document` adds the error body to each, as to every other error.
    """
    return {status: {"description": _MEANING[status]} for status in statuses}


def error_statuses(route: Any) -> set[int]:
    """The error statuses ``route`` can answer, read from what it depends on and takes."""
    nodes = list(_tree(route.dependant))
    calls = {node.call for node in nodes}
    extra = route.openapi_extra or {}
    statuses: set[int] = set()
    if authenticated in calls or extra.get("security"):
        # A route that calls the auth dependency itself declares its security in openapi_extra.
        statuses |= {401, 403, 503}
    if any(_checks_permission(call) for call in calls):
        statuses.add(403)
    if get_ordo in calls:
        statuses.add(503)
    if any(n.path_params or n.query_params or n.header_params or n.cookie_params for n in nodes):
        statuses.add(422)
    if "{" in route.path_format:
        statuses.add(404)
    if any(n.body_params for n in nodes) or "requestBody" in extra:
        statuses |= {400, 413, 422}
    if json_body in calls:
        statuses.add(415)
    return statuses


def document(app: FastAPI, schema: dict[str, Any]) -> None:
    """Add to ``schema`` every error response each operation can give, as :class:`ErrorBody`.

    Idempotent: FastAPI caches the schema it built, and this runs on each copy it serves.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorBody.model_json_schema(
        ref_template=_REF[: -len(ERROR_SCHEMA)] + "{model}"
    )
    content = {"application/json": {"schema": {"$ref": _REF}}}
    paths = schema.get("paths", {})
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        statuses = error_statuses(route)
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            for parameter in operation.get("parameters", ()):
                _not_null(parameter)
            responses = operation.setdefault("responses", {})
            declared = {int(k) for k in responses if k.isdigit() and int(k) >= 400}
            for status in sorted(statuses | declared):
                known = responses.get(str(status), {})
                responses[str(status)] = {
                    "description": known.get("description") or _MEANING.get(status, "error / 错误"),
                    "content": content,
                }
    # FastAPI's own 422 shape is never sent: drop it (and what only it used) once unreferenced.
    for name in ("HTTPValidationError", "ValidationError"):
        if name in components and f'"#/components/schemas/{name}"' not in json.dumps(schema):
            del components[name]


def _not_null(parameter: dict[str, Any]) -> None:
    """A parameter is sent or left out, never null: drop the ``null`` FastAPI adds for ``X | None``.

    A client generated from ``anyOf: [integer, null]`` might send ``?limit=null`` or a header
    ``null``, which no route takes.
    """
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return
    rest = [option for option in options if option != {"type": "null"}]
    del schema["anyOf"]
    if len(rest) == 1:
        schema.update({**rest[0], **schema})
    else:
        schema["anyOf"] = rest
    if schema.get("default", 0) is None:
        del schema["default"]


def _security_checks(route: APIRoute) -> Iterator[Dependant]:
    """The route's dependencies that take nothing but the authenticated caller."""
    for node in _tree(route.dependant):
        subs = node.dependencies
        if node.call is not None and subs and all(sub.call is authenticated for sub in subs):
            yield node


async def admit(request: Request) -> None:
    """Authenticate the caller (and check their permission) as the route would, or raise.

    For answers given before the route's dependencies ran (a body that is not JSON): a
    stranger is told 401, a caller without the permission 403, and only then 400.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    calls = {node.call for node in _tree(route.dependant)}
    if authenticated not in calls and not (route.openapi_extra or {}).get("security"):
        return
    principal = await authenticated(request)
    for node in _security_checks(route):
        assert node.call is not None
        kwargs: dict[str, Any] = {sub.name: principal for sub in node.dependencies if sub.name}
        if node.request_param_name:  # the permission check reads the Ordo's freezes off the request
            kwargs[node.request_param_name] = request
        await node.call(**kwargs)


def _malformed_body(exc: Exception) -> bool:
    if isinstance(exc, RequestValidationError):
        return any(e.get("type") == "json_invalid" for e in exc.errors())
    return isinstance(exc, StarletteHTTPException) and exc.status_code == 400


def _authenticated_first(answer: Handler, refuse: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if _malformed_body(exc):
            try:
                await admit(request)
            except OrdoError as refused:
                return await _answer(refuse, request, refused)
        return await _answer(answer, request, exc)

    return handle


def _allow(app: FastAPI) -> Callable[[str], str | None]:
    """What a 405 says in ``Allow``: the methods of the resource at a path, as the schema has them.

    A path matched by a literal route (``/orders/hold``) and by a template (``/orders/{order_id}``)
    is the literal route's resource: the routes with the fewest parameters that match decide.
    """
    table: list[tuple[re.Pattern[str], int, frozenset[str]]] = []

    def allow(path: str) -> str | None:
        if not table:
            for route in routing.iter_route_contexts(app.routes):
                if isinstance(route.original_route, APIRoute) and route.methods:
                    regex, _, convertors = compile_path(route.path_format or "")
                    table.append((regex, len(convertors), frozenset(route.methods)))
        matched = [(params, methods) for regex, params, methods in table if regex.match(path)]
        if not matched:
            return None
        fewest = min(params for params, _ in matched)
        return ", ".join(sorted(set().union(*(m for params, m in matched if params == fewest))))

    return allow


def _allow_header(answer: Handler, allow: Callable[[str], str | None]) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
            methods = allow(request.url.path)
            if methods:
                exc = StarletteHTTPException(
                    405, exc.detail, headers={**(exc.headers or {}), "Allow": methods}
                )
        return await _answer(answer, request, exc)

    return handle


class _ShadowedMethods(BaseRoute):
    """405 for a method a literal path does not take, before a template route claims the path.

    ``GET /incidents/bulk`` would otherwise be ``GET /incidents/{incident_id}`` with the id
    "bulk" (a 422), though ``/incidents/bulk`` is its own resource, which takes only POST. Placed
    first, one dict lookup per request; only literal paths a template also matches are listed.
    """

    def __init__(self, methods: dict[str, frozenset[str]]) -> None:
        self.methods = methods

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            allowed = self.methods.get(scope["path"])
            if allowed is not None and scope["method"] not in allowed:
                return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        allow = ", ".join(sorted(self.methods[scope["path"]]))
        raise StarletteHTTPException(405, headers={"Allow": allow})

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


def _shadowed(app: FastAPI) -> dict[str, frozenset[str]]:
    literal: dict[str, set[str]] = {}
    templates: list[re.Pattern[str]] = []
    for route in routing.iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.methods and route.path_format:
            regex, _, convertors = compile_path(route.path_format)
            if convertors:
                templates.append(regex)
            else:
                literal.setdefault(route.path_format, set()).update(route.methods)
    return {
        path: frozenset(methods)
        for path, methods in literal.items()
        if any(regex.match(path) for regex in templates)
    }


def install(app: FastAPI) -> None:
    """Document every operation's errors, and refuse strangers before telling them about bodies.

    Call after :func:`ordo.api.errors.install`: it wraps the handlers installed there.
    """
    built = app.openapi

    def openapi() -> dict[str, Any]:
        schema = built()
        document(app, schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    handlers = app.exception_handlers
    refuse = handlers[OrdoError]
    app.add_exception_handler(
        RequestValidationError, _authenticated_first(handlers[RequestValidationError], refuse)
    )
    app.router.routes.insert(0, _ShadowedMethods(_shadowed(app)))
    http = _authenticated_first(handlers[StarletteHTTPException], refuse)
    app.add_exception_handler(StarletteHTTPException, _allow_header(http, _allow(app)))
