"""Questions in plain language over the metrics layer (``POST /ask``) and the metrics themselves
(``GET /metrics/catalog``): the same answer as ``ordo ask`` and the chat bot, with its SQL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from ordo.api.deps import JsonBody, OrdoDep, Reader
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import CLEAN, length
from ordo.service.insight.ask import ask
from ordo.service.insight.catalog import default_catalog

router = APIRouter(prefix=API_PREFIX, tags=["insight"])

#: Longest question read; a longer text is a 422 naming ``question``.
MAX_QUESTION = 300
Question = Annotated[str, length(MAX_QUESTION, 1), CLEAN]


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: Question


@router.post("/ask", summary="Ask a question about the orders (中文 or English); the answer shows its SQL")
async def ask_question(ordo: OrdoDep, principal: Reader, _json: JsonBody, payload: AskIn) -> dict[str, Any]:
    """200 with the reading, the answer in both languages, the rows, the metric's definition, the
    SQL that ran and its parameters; 422 ``question_not_understood`` with the closest questions
    Ordo can answer; 403 for a channel outside the caller's scope."""
    return await run_in_threadpool(ask, ordo, payload.question, principal.scope)


@router.get("/metrics/catalog", summary="The metrics a question can ask for, with their definitions")
def metrics_catalog(principal: Reader) -> dict[str, Any]:
    catalog = default_catalog()
    return {
        "metrics": [{**m.as_dict(), "aliases": list(m.aliases)} for m in catalog.metrics.values()],
        "dimensions": [
            {"dimension": d.key, "zh": d.zh, "en": d.en, "aliases": list(d.aliases)}
            for d in catalog.dimensions.values()
        ],
    }
