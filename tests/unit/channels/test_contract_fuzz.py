"""Whatever a platform sends, every channel (mapped or Python) answers with an order or with
reasons naming fields: never a crash. Part of the contract kit, over every fixture."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordo.adapters.channels import ADAPTERS, Unmappable
from ordo.adapters.channels.base import ChannelOrder
from tests.unit.channels.conftest import FIXTURES

MAPPED = sorted(ADAPTERS)
PAYLOADS = [
    (c, json.loads(p.read_text("utf-8"), parse_float=Decimal))
    for c in MAPPED
    for p in sorted((FIXTURES / c).glob("*.json"))
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=24),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        ["", "null", "0", "0000-00-00 00:00:00", "1.005", '{"a": 1}', "[1]", "¥12.50", "1,000.00"]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(PAYLOADS), data=st.data())
def test_a_mutated_payload_maps_or_is_refused_with_named_reasons(
    case: tuple[str, Any], data: st.DataObject
) -> None:
    channel, original = case
    payload = copy.deepcopy(original)
    paths = _paths(payload)
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4)):
        node = payload
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = data.draw(_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
    try:
        co = ADAPTERS[channel].parse(payload)
    except Unmappable as exc:
        assert exc.reasons and all(r.field and r.field in r.message for r in exc.reasons)
        return
    assert isinstance(co, ChannelOrder) and type(co.external_id) is str
    assert all(type(ln.unit_price_fen) is int and ln.unit_price_fen >= 0 for ln in co.lines)
    assert all(type(ln.quantity) is int and ln.quantity > 0 for ln in co.lines)


@settings(max_examples=200, deadline=None)
@given(channel=st.sampled_from(MAPPED), payload=st.dictionaries(st.text(max_size=8), _VALUES, max_size=6))
def test_any_json_object_maps_or_is_refused(channel: str, payload: dict[str, Any]) -> None:
    try:
        ADAPTERS[channel].parse(payload)
    except Unmappable as exc:
        assert exc.reasons
