"""Dead letters are labelled with the platform's order id, found however deep the envelope
hides it: every documentation fixture's id as its adapter reads it, and the same id when
the payload is broken so that no adapter can read it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, Unmappable
from ordo.service.channels.receive import guess_id

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"
#: The ERP / 聚石塔 envelopes, by the channel whose order they carry.
MIDDLEMEN = {
    "erp_forward_douyin.json": "douyin",
    "erp_forward_jd.json": "jd",
    "erp_forward_pinduoduo.json": "pinduoduo",
    "jushita_rds_row.json": "taobao",
}
ID_KEYS = ("tid_str", "tid", "orderId", "order_id", "order_sn", "oid", "po_number", "ticket_no")
#: POS tickets are named by store and ticket together: the guess is the ticket alone.
CASES = [p for p in sorted(FIXTURES.glob("*/*.json")) if p.parent.name not in ("pos",)]


def _channel(path: Path) -> str:
    return MIDDLEMEN.get(path.name, path.parent.name)


def _break(node: Any, key: str = "") -> Any:
    """Every value but the ids a list (where a code, amount or time belongs: unreadable)."""
    if isinstance(node, dict):
        return {k: _break(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_break(v, key) for v in node]
    if isinstance(node, str) and node[:1] in "{[":
        try:
            return json.dumps(_break(json.loads(node)), ensure_ascii=False)
        except ValueError:
            return []
    return node if key in ID_KEYS else []


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_guess_is_the_id_the_adapter_reads(path: Path) -> None:
    payload = json.loads(path.read_text("utf-8"))
    order = ADAPTERS[_channel(path)].parse(payload)
    assert guess_id(payload) == order.external_id


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_broken_payload_is_still_labelled(path: Path) -> None:
    payload = json.loads(path.read_text("utf-8"))
    adapter = ADAPTERS[_channel(path)]
    expected = adapter.parse(copy.deepcopy(payload)).external_id
    broken = _break(payload)
    with pytest.raises(Unmappable):
        adapter.parse(broken)
    assert guess_id(broken) == expected


def test_deep_envelopes_and_json_text() -> None:
    jd = {
        "jingdong_pop_order_get_responce": {"code": "0", "orderDetailInfo": {"orderInfo": {"orderId": "281"}}}
    }
    assert guess_id(jd) == "281"
    yz = {
        "response": {"data": {"full_order_info": {"orders": [{"oid": "line"}], "order_info": {"tid": "E1"}}}}
    }
    assert guess_id(yz) == "E1"  # the order's id (shallower) before a line's
    forward = {"platform": "jd", "raw_data": json.dumps({"orderInfo": {"orderId": 301234567890}})}
    assert guess_id(forward) == "301234567890"
    assert guess_id({"request_id": {"order_id": "not an order"}}) is None
    assert guess_id({"a": {"b": [1, "x", None, True]}}) is None
    assert guess_id({"tid": True, "oid": " 7 "}) == "7"


def test_a_hostile_envelope_costs_little() -> None:
    deep: dict[str, Any] = {"tid": "bottom"}
    for _ in range(5_000):
        deep = {"x": deep}
    assert guess_id(deep) is None  # past the depth bound, not a RecursionError
    wide = {f"k{i}": {"v": i} for i in range(10_000)}
    assert guess_id(wide) is None
    nested_text = {"raw_data": "[" * 100_000 + "]" * 100_000}
    assert guess_id(nested_text) is None
