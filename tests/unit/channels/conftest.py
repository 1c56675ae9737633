"""Fixtures for the adapter tests: payloads from tests/fixtures/channels, a fake SKU map."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, Mapped, to_canonical
from ordo.adapters.geo.address import default_resolver

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
CATALOG = {
    "SKU-TEA": frozenset[str](),
    "SKU-MILK": frozenset({"cold_chain"}),
    "SKU-CUP": frozenset({"fragile"}),
}
SKU_MAP = {"4801234567891": "SKU-CUP", "100012345678": "SKU-TEA", "998877": "SKU-CUP"}


def load(channel: str, name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((FIXTURES / channel / name).read_text("utf-8"), parse_float=Decimal)
    return payload


def lookup(platform_sku: str) -> tuple[str, frozenset[str]] | None:
    sku = SKU_MAP.get(platform_sku, platform_sku)
    return (sku, CATALOG[sku]) if sku in CATALOG else None


def map_fixture(channel: str, name: str) -> Mapped:
    return to_canonical(ADAPTERS[channel].parse(load(channel, name)), lookup, default_resolver())


@pytest.fixture
def mapped() -> Callable[[str, str], Mapped]:
    return map_fixture
