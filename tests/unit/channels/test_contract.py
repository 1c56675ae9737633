"""The contract every channel passes, whether written in Python or as a mapping file.

Parametrised over every registered channel and every payload in its fixture folder
(``tests/fixtures/channels/<channel>/*.json``; ``invalid/`` holds answers that must be
refused, ``lists/`` list/increment answers). A new channel gets all of this for free by
dropping its fixtures in: it maps without error, money is integer fen, ids are text,
times are UTC nanoseconds from a real instant, a full order has lines, every status maps
to known milestones, and a garbled payload is refused with reasons that name the field.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, Unmappable, to_canonical
from ordo.adapters.channels.base import ChannelOrder
from ordo.adapters.channels.declarative import DeclarativeAdapter
from ordo.adapters.geo.address import default_resolver
from ordo.adapters.status_graph import load_graph
from ordo.domain.orders.milestones import Milestone
from ordo.domain.orders.model import IdentifierKind
from tests.unit.channels.conftest import FIXTURES, lookup

NS = 1_000_000_000
#: A real order's time lies between these (2000-01-01 and 2100-01-01 UTC, in ns).
EARLIEST, LATEST = 946_684_800 * NS, 4_102_444_800 * NS
_CJK = re.compile(r"[\u4e00-\u9fff]")
_KINDS = {k.value for k in IdentifierKind}


def _load(path: Path) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(path.read_text("utf-8"), parse_float=Decimal)
    return payload


def _cases() -> Iterator[Any]:
    for channel in ADAPTERS:
        for path in sorted((FIXTURES / channel).glob("*.json")):
            yield pytest.param(channel, path, id=f"{channel}/{path.name}")


CASES = list(_cases())


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path, node


def _unwrapped(node: Any) -> Any:
    """A copy with JSON held in strings (a middleman's ``raw_data``, ``jdp_response``) decoded,
    so the fields inside can be garbled too; the adapters take either form."""
    if isinstance(node, dict):
        return {k: _unwrapped(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unwrapped(v) for v in node]
    if isinstance(node, str) and node[:1] == "{":
        try:
            inner = json.loads(node, parse_float=Decimal)
        except ValueError:
            return node
        return _unwrapped(inner) if isinstance(inner, dict) else node
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _drop(node: Any, path: tuple[Any, ...]) -> None:
    for step in path[:-1]:
        node = node[step]
    if isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = None


def _assert_reasons_name_fields(exc: Unmappable) -> None:
    assert exc.reasons
    for r in exc.reasons:
        assert r.code and r.field, r
        assert r.field in r.message, (r.field, r.message)
        assert _CJK.search(r.message), f"not bilingual: {r.message}"


def test_every_registered_channel_has_fixtures_to_be_checked_against() -> None:
    missing = [c for c in ADAPTERS if not any((FIXTURES / c).glob("*.json"))]
    assert not missing, f"channels without a payload in tests/fixtures/channels/<channel>/: {missing}"


def test_every_new_platform_has_at_least_five_documentation_fixtures() -> None:
    for channel in ("wechat_channels", "youzan", "xiaohongshu"):
        assert len(list((FIXTURES / channel).glob("*.json"))) >= 5, channel


@pytest.mark.parametrize(("channel", "path"), CASES)
def test_the_fixture_maps_to_a_well_typed_order(channel: str, path: Path) -> None:
    adapter = ADAPTERS[channel]
    co = adapter.parse(_load(path))
    assert isinstance(co, ChannelOrder)
    assert co.channel == channel
    assert type(co.external_id) is str and co.external_id.strip() == co.external_id != ""
    assert type(co.status) is str and co.status in adapter.statuses
    assert [m for m, _ in co.steps] == list(adapter.statuses[co.status])
    for milestone, at in co.steps:
        assert isinstance(milestone, Milestone)
        assert type(at) is int and EARLIEST < at < LATEST, (milestone, at)
    for t in (co.paid_at_ns, *([co.placed_at_ns] if co.complete else [])):
        assert t is None or (type(t) is int and EARLIEST < t < LATEST)
    for amount in (co.freight_fen, co.discount_fen):
        assert type(amount) is int and amount >= 0
    assert co.paid_total_fen is None or (type(co.paid_total_fen) is int and co.paid_total_fen >= 0)
    assert all(i.kind in _KINDS and type(i.value) is str and i.value for i in co.identifiers)
    if not co.complete:
        assert co.lines == ()
        return
    assert co.lines, "a full order has lines"
    for line in co.lines:
        assert line.skus and all(type(s) is str and s for s in line.skus)
        assert type(line.quantity) is int and line.quantity > 0
        assert type(line.unit_price_fen) is int and line.unit_price_fen >= 0
        assert type(line.discount_fen) is int and line.discount_fen >= 0
        assert type(line.gift) is bool
    mapped = to_canonical(co, lookup, default_resolver())
    order = mapped.order
    assert order is not None and order.channel == channel and order.external_id == co.external_id
    assert all(
        type(v) is int for v in (order.freight_fen, order.discount_fen, order.goods_fen, order.total_fen)
    )
    assert order.total_fen >= 0
    if co.paid_total_fen is not None:
        assert order.total_fen == co.paid_total_fen, "amounts reconcile to what the buyer paid"


@pytest.mark.parametrize(("channel", "path"), CASES)
def test_without_its_order_id_the_payload_is_refused_naming_the_field(channel: str, path: Path) -> None:
    adapter = ADAPTERS[channel]
    payload = _load(path)
    oid = adapter.parse(payload).external_id
    garbled = _unwrapped(payload)
    assert adapter.parse(garbled).external_id == oid
    texts = [(p, str(v)) for p, v in _leaves(garbled) if not isinstance(v, bool) and isinstance(v, str | int)]
    # The id as sent, or the parts it is composed of (the POS id is <store_id>-<ticket_no>).
    hits = [p for p, v in texts if v == oid] or [p for p, v in texts if len(v) >= 3 and v in oid]
    assert hits, "the id is somewhere in the payload"
    for p in hits:
        _drop(garbled, p)
    with pytest.raises(Unmappable) as exc:
        adapter.parse(garbled)
    _assert_reasons_name_fields(exc.value)


@pytest.mark.parametrize(("channel", "path"), CASES)
def test_an_unknown_status_is_refused_naming_the_status_field(channel: str, path: Path) -> None:
    adapter = ADAPTERS[channel]
    payload = _load(path)
    status = adapter.parse(payload).status
    garbled = _unwrapped(payload)
    hits = [p for p, v in _leaves(garbled) if not isinstance(v, bool) and str(v).lower() == status.lower()]
    if not hits:
        pytest.skip(f"{channel}: the status {status!r} is derived, not a field of the payload")
    for p in hits:
        _set(garbled, p, "NO_SUCH_STATUS_9x")
    with pytest.raises(Unmappable) as exc:
        adapter.parse(garbled)
    _assert_reasons_name_fields(exc.value)


@pytest.mark.parametrize("channel", list(ADAPTERS))
def test_a_payload_that_is_not_an_order_is_refused_not_a_crash(channel: str) -> None:
    with pytest.raises(Unmappable) as exc:
        ADAPTERS[channel].parse({"unexpected": [1, 2, 3]})
    _assert_reasons_name_fields(exc.value)


DECLARATIVE = [c for c, a in ADAPTERS.items() if isinstance(a, DeclarativeAdapter)]


@pytest.mark.parametrize(("channel", "path"), [c for c in CASES if c.values[0] in DECLARATIVE])
def test_a_garbled_field_of_a_mapped_channel_is_refused_by_its_mapped_path(channel: str, path: Path) -> None:
    """Each money, time and quantity path the mapping file names, garbled in turn."""
    adapter = ADAPTERS[channel]
    assert isinstance(adapter, DeclarativeAdapter)
    payload = _unwrapped(_load(path))
    co = adapter.parse(payload)
    if not co.complete:
        return
    order_obj = adapter._order_object(payload)
    item = adapter._lines[0](order_obj)[0]
    for key, bad in (("quantity", 0), ("price", "12.3.4")):
        field = adapter._line_fields[key]
        _, used = field.first(item, frozenset())
        broken = copy.deepcopy(payload)
        broken_item = adapter._lines[0](adapter._order_object(broken))[0]
        _set(broken_item, tuple(used.split(".")), bad)
        with pytest.raises(Unmappable) as exc:
            adapter.parse(broken)
        _assert_reasons_name_fields(exc.value)
        assert any(
            r.field.endswith(used) and r.field.startswith(adapter._lines[1]) for r in exc.value.reasons
        )
    created = adapter._time_fields[0]
    assert created[0] == "created"
    _, used = created[1].first(order_obj, frozenset())
    broken = copy.deepcopy(payload)
    _set(adapter._order_object(broken), tuple(used.split(".")), "yesterday-ish")
    with pytest.raises(Unmappable) as exc:
        adapter.parse(broken)
    assert [r.field for r in exc.value.reasons] == [used]
    assert exc.value.reasons[0].code == "bad_time"


@pytest.mark.parametrize("channel", DECLARATIVE)
def test_a_platform_error_answer_is_refused_as_such(channel: str) -> None:
    for path in sorted((FIXTURES / channel / "invalid").glob("*.json")):
        with pytest.raises(Unmappable) as exc:
            ADAPTERS[channel].parse(_load(path))
        assert [r.code for r in exc.value.reasons] == ["platform_error"], path.name
        _assert_reasons_name_fields(exc.value)


@pytest.mark.parametrize("channel", DECLARATIVE)
def test_a_list_answer_splits_into_orders_that_each_map(channel: str) -> None:
    adapter = ADAPTERS[channel]
    assert isinstance(adapter, DeclarativeAdapter)
    for path in sorted((FIXTURES / channel / "lists").glob("*.json")):
        elements = adapter.orders_in(_load(path))
        assert len(elements) >= 2
        ids = [adapter.parse(e).external_id for e in elements]
        assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("channel", list(ADAPTERS))
def test_the_status_graph_translates_every_status_of_every_channel_alike(channel: str) -> None:
    """A status update sent through the status API means what the same word means in a push."""
    graph = load_graph({})
    for code, steps in ADAPTERS[channel].statuses.items():
        tr = graph.translate(channel, code)
        assert tr is not None, (channel, code)
        assert tr.milestones == tuple(steps), (channel, code)
