"""People who sign in: listed and added by an administrator (``admin``), 403 for anyone else.

The CLI (``ordo users …``) does the same through the service; nothing here returns a
password hash.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from ordo.api import render
from ordo.api.deps import JsonBody, OrdoDep, Principal, requires
from ordo.api.routers import API_PREFIX
from ordo.domain.access import Perm, Role, Scope
from ordo.service import people

router = APIRouter(prefix=API_PREFIX, tags=["users"])

Admin = Annotated[Principal, Depends(requires(Perm.ADMIN))]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9._-]{1,31}$")
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    password: str | None = Field(None, min_length=8, max_length=256)
    channels: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default_factory=list, max_length=50
    )


@router.get("/users", summary="Every user (never a password hash); administrators only")
def list_users(ordo: OrdoDep, _p: Admin) -> dict[str, Any]:
    return {"users": [render.with_times(u) for u in people.list_users(ordo)]}


@router.post(
    "/users",
    status_code=201,
    summary="Add a user; administrators only",
    responses={409: {"description": "the login is taken"}},
)
def add_user(ordo: OrdoDep, _p: Admin, _json: JsonBody, body: UserIn) -> dict[str, Any]:
    scope = Scope(frozenset(body.channels))
    return render.with_times(
        people.add_user(ordo, body.login, body.display_name, body.role, body.password, scope)
    )
