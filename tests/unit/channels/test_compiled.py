"""A mapping file's generated fast path reads every order exactly as the reference reader does.

The fast path (ordo.adapters.channels.compiled) either maps an order to the very
ChannelOrder the reference reader makes, or gives up; it never maps what the reference
refuses. Checked over every fixture of the mapping-file channels and thousands of
mutations of them (a value replaced by another type, an odd amount, a placeholder time,
a key removed), and over a spec using every kind of path.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, Unmappable
from ordo.adapters.channels.declarative import DeclarativeAdapter

from .test_declarative import BASE, ORDER

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
CHANNELS = sorted(c for c, a in ADAPTERS.items() if isinstance(a, DeclarativeAdapter))
#: Values a mutation puts in place of another: each type and edge a platform may send.
ODD: tuple[Any, ...] = (
    None, "", "  ", " x ", "abc", 0, -1, 1, 2**70, 1.5, Decimal("1.005"), Decimal("2"), "1.005",
    "12.50", "-3.00", True, False, [], {}, [{}], "0000-00-00 00:00:00", "2026-11-11 01:00:00",
    1794330060000, "null",
)  # fmt: skip


def _load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"), parse_float=Decimal)


def _outcome(fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("mapped", fn(*args))
    except Unmappable as exc:
        return ("unmappable", [r.as_dict() for r in exc.reasons])
    except Exception as exc:  # whatever the reference raises, the fast path must raise too
        return ("error", type(exc).__name__, str(exc))


def _reference(adapter: DeclarativeAdapter, payload: Any) -> Any:
    o = adapter._order_object(payload)
    return adapter.read_order(o)


def _mutations(node: Any, budget: int = 1500) -> Iterator[Any]:
    """Copies of ``node`` with one value replaced (each of :data:`ODD`) or one key removed."""
    paths: list[tuple[Any, ...]] = []

    def walk(n: Any, at: tuple[Any, ...]) -> None:
        if isinstance(n, dict):
            for k, v in n.items():
                paths.append((*at, k))
                walk(v, (*at, k))
        elif isinstance(n, list):
            for i, v in enumerate(n[:3]):
                paths.append((*at, i))
                walk(v, (*at, i))

    walk(node, ())
    made = 0
    for path in paths:
        for value in (*ODD, KeyError):
            copied = copy.deepcopy(node)
            parent = copied
            for k in path[:-1]:
                parent = parent[k]
            if value is KeyError:
                if not isinstance(parent, dict):
                    continue
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
            yield copied
            made += 1
            if made >= budget:
                return


def _fixtures(channel: str) -> list[Path]:
    paths = sorted((FIXTURES / channel).rglob("*.json"))
    return paths + sorted((FIXTURES / "middlemen").glob(f"*{channel}*.json"))


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_fast_path_maps_each_fixture_as_the_reference_does(channel: str) -> None:
    adapter = ADAPTERS[channel]
    assert isinstance(adapter, DeclarativeAdapter)
    taken = 0
    for path in _fixtures(channel):
        payload = _load(path)
        assert _outcome(adapter.parse, payload) == _outcome(_reference, adapter, payload), path.name
        try:
            o = adapter._order_object(payload)
        except Unmappable:
            continue
        taken += type(o) is dict and adapter._fast(o) is not None
    assert taken >= 3, f"{channel}: the fast path took only {taken} fixtures"


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_fast_path_never_maps_what_the_reference_refuses_nor_maps_it_otherwise(channel: str) -> None:
    adapter = ADAPTERS[channel]
    assert isinstance(adapter, DeclarativeAdapter)
    compared = taken = 0
    for path in _fixtures(channel):
        payload = _load(path)
        if not isinstance(payload, dict):
            continue
        try:
            o = adapter._order_object(payload)
        except Unmappable:
            continue
        for mutated in _mutations(o, budget=800):
            fast = adapter._fast(mutated)
            reference = _outcome(adapter.read_order, mutated)
            if fast is not None:
                taken += 1
                if adapter._hook is not None:
                    fast = adapter._hook(mutated, fast)
                assert reference == ("mapped", fast), (path.name, mutated)
            assert _outcome(adapter.parse, mutated) == _outcome(_reference, adapter, mutated), path.name
            compared += 1
    assert compared > 500 and taken > 100, (compared, taken)


def test_every_kind_of_path_reads_alike_on_both_paths() -> None:
    """Paths with ``@json`` and list indexes, several candidates, a fen discount beside yuan
    prices, epoch ms, a masked path, both remarks."""
    spec = copy.deepcopy(BASE)
    spec["order"]["id"] = ["id_str", "id"]
    spec["order"]["seller_remark"] = "memo"
    spec["lines"]["sku"] = ["code", "alt[1].id", "sku_id"]
    spec["lines"]["line_id"] = ["code", "sku_id"]
    spec["receiver"]["masked"] = ["tel"]
    spec["identifiers"]["openid"] = "who.openid"
    spec["identifiers"]["masked"] = ["openid"]
    spec["nulls"] = ["null", "-"]
    spec["tags"] = {"big": {"path": "flag", "values": [1, "yes"]}}
    adapter = DeclarativeAdapter(spec, "demo.toml")
    order = copy.deepcopy(ORDER)
    order["flag"] = 1
    order["memo"] = "加急"
    order["who"] = {"openid": "o-1"}
    order["items"][1]["alt"] = [{"id": "A"}, {"id": 9}]
    assert adapter._fast(order) is not None
    assert adapter.parse(order) == adapter.read_order(order)
    for mutated in _mutations(order, budget=5000):
        reference = _outcome(adapter.read_order, mutated)
        fast = adapter._fast(mutated)
        if fast is not None:
            assert reference == ("mapped", fast), mutated
        assert _outcome(adapter.parse, mutated) == _outcome(_reference, adapter, mutated)
