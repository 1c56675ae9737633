"""Fixtures for the HTTP API tests: an app over the tiny world, keys per role, JSON orders.

The app is built the way ``ordo serve`` builds it (``create_app`` over a
bootstrapped Ordo), on the shared fixtures' SQLite file and ManualClock.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from ordo.api import create_app
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key

with warnings.catch_warnings():
    # Starlette asks for the "httpx2" package in place of httpx; the client works either way.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["TestClient", "count_rows", "order_json"]

Headers = dict[str, str]


def order_json(
    external_id: str,
    lines: list[tuple[str, int]] | None = None,
    *,
    channel: str = "tmall",
    province: str = "浙江省",
    city: str = "杭州市",
    paid: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """The JSON twin of ``tests.conftest.new_order``: a valid order priced from the tiny world."""
    prices = {"SKU-TEA": 12_800, "SKU-MILK": 1_590, "SKU-CUP": 3_900, "SKU-GAS": 2_500, "SKU-RARE": 99_900}
    body: dict[str, Any] = {
        "channel": channel,
        "external_id": external_id,
        "customer_ref": "C-1",
        "ship_to": {
            "province": province,
            "city": city,
            "district": "西湖区",
            "detail": "文三路 100 号 3 幢 502 室",
            "name": "张三丰",
            "phone": "13812341234",
        },
        "lines": [
            {"sku": sku, "quantity": qty, "unit_price_fen": prices.get(sku, 100)}
            for sku, qty in (lines or [("SKU-TEA", 1)])
        ],
        "placed_at": "2026-11-11T08:00:00+08:00",
    }
    if paid:
        body["paid_at"] = "2026-11-11T08:00:00+08:00"
    body.update(overrides)
    return body


def count_rows(app: Ordo, table: str) -> int:
    with app.store.uow(read_only=True) as uow:
        return uow.catalog.count(table)


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url)


@pytest.fixture
def api(world: Ordo, settings: Settings) -> FastAPI:
    return create_app(world, settings)


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    with TestClient(api) as c:
        yield c


@pytest.fixture
def api_keys(world: Ordo) -> dict[Role, str]:
    return {role: create_key(world, role, f"test {role.value}") for role in Role}


@pytest.fixture
def auth(api_keys: dict[Role, str]) -> Callable[[Role], Headers]:
    def headers(role: Role) -> Headers:
        return {"Authorization": f"Bearer {api_keys[role]}"}

    return headers


@pytest.fixture
def admin(auth: Callable[[Role], Headers]) -> Headers:
    return auth(Role.ADMIN)


@pytest.fixture
def post_order(client: TestClient, admin: Headers) -> Callable[..., str]:
    """Submit one valid order and return its id."""

    def submit(external_id: str, lines: list[tuple[str, int]] | None = None, **kw: Any) -> str:
        r = client.post("/api/v1/orders", json=order_json(external_id, lines, **kw), headers=admin)
        assert r.status_code == 201, r.text
        order_id: str = r.json()["results"][0]["order_id"]
        return order_id

    return submit
