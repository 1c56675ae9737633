"""The Rules page's palette: ``GET /api/v1/rules/palette``, every field and action with an
example in Chinese and English, and the words the editor completes (any reader)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ordo.api.deps import Reader
from ordo.api.routers import API_PREFIX
from ordo.service.rules.palette import palette

router = APIRouter(prefix=f"{API_PREFIX}/rules", tags=["rules"])


@router.get("/palette", summary="Fields and actions with examples (zh/en), and the words to complete")
def get_palette(_p: Reader) -> dict[str, Any]:
    return palette()
