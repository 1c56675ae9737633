"""The chat bots' callbacks: ``/api/v1/bots/{wecom|dingtalk|feishu}/callback``.

Authenticated by each platform's own signature (and decrypted where it encrypts), never by
API key; a callback that does not check is a 401 and gets no reply. Answers the same as
``POST /api/v1/ask`` (:mod:`ordo.service.insight.chat`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ordo.api.routers import API_PREFIX
from ordo.service.insight.chat import handle

router = APIRouter(prefix=API_PREFIX, tags=["insight"])
_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/octet-stream": {"schema": {"type": "string"}}},
    }
}


async def _callback(platform: str, request: Request) -> Response:
    ordo = request.app.state.ordo
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    answer = await run_in_threadpool(
        handle, ordo, platform, request.method, headers, dict(request.query_params), body
    )
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)


@router.get(
    "/bots/{platform}/callback",
    summary="A chat platform's URL check (WeCom's echostr)",
    responses={401: {"description": "not signed by the platform"}, 404: {"description": "no such platform"}},
)
async def bot_check(platform: str, request: Request) -> Response:
    return await _callback(platform, request)


@router.post(
    "/bots/{platform}/callback",
    summary="A message to the bot from WeCom, DingTalk or Feishu (signed by the platform)",
    responses={
        401: {"description": "not signed by the platform; no reply"},
        404: {"description": "no such platform"},
        502: {"description": "the platform did not take the reply"},
    },
    openapi_extra=_BODY,
)
async def bot_message(platform: str, request: Request) -> Response:
    return await _callback(platform, request)
