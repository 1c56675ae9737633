"""Preview that helps: the canonical order a payload would become, every problem on its field,
and Ordo SKUs proposed for unmapped ones. Nothing is written."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ordo.service.channels.preview import ERROR, WARNING, preview
from ordo.service.channels.receive import set_sku_mapping
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import count_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def _payload(channel: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / channel / name).read_text("utf-8"))
    return data


def _body(channel: str, name: str) -> str:
    return (FIXTURES / channel / name).read_text("utf-8")


def test_an_unmapped_sku_is_flagged_on_its_line_and_the_rest_of_the_order_still_shows(world: Ordo) -> None:
    p = preview(world, "taobao", _body("taobao", "create.json"))
    assert not p.accepted
    assert [(x.field, x.code, x.severity) for x in p.problems if x.severity == ERROR] == [
        ("lines[1].sku", "unmapped_sku", ERROR)
    ]
    out = p.as_dict()
    lines = out["order"]["lines"]
    assert [ln["sku"] for ln in lines] == ["SKU-TEA", None, "SKU-CUP"]
    assert lines[1]["platform_skus"] == ["4801234567891", "612345678902"] and lines[1]["title"] == "陶瓷杯"
    assert out["order"]["total_fen"] == 28300  # the platform's payment, reconciled as intake would
    assert out["reasons"][0]["code"] == "unmapped_sku" and out["mappable"] is False
    assert count_rows(world, "channel_dead_letters") == 0 and count_rows(world, "orders") == 0


def test_suggestions_come_by_barcode_mapped_elsewhere_outer_id_and_title(world: Ordo) -> None:
    set_sku_mapping(world, "jd", "4801234567891", "SKU-CUP")  # the same barcode, on another channel
    p = preview(world, "taobao", _body("taobao", "create.json"), suggest_skus=True)
    [problem] = [x for x in p.problems if x.code == "unmapped_sku"]
    best = problem.suggestions[0]
    assert (best.sku, best.score) == ("SKU-CUP", 1.0) and "jd" in best.why and "barcode" in best.why


def test_a_title_alone_proposes_the_catalogues_closest_names(world: Ordo) -> None:
    p = preview(world, "taobao", _body("taobao", "create.json"), suggest_skus=True)
    [problem] = [x for x in p.problems if x.code == "unmapped_sku"]
    assert problem.suggestions and problem.suggestions[0].sku == "SKU-CUP"
    assert "title" in problem.suggestions[0].why and 0 < problem.suggestions[0].score < 0.9


def test_an_outer_id_written_like_an_ordo_sku_is_proposed(world: Ordo) -> None:
    trade = _payload("taobao", "create.json")
    order = trade["orders"]["order"][1] if "orders" in trade else None
    assert order is not None
    order["sku_id"], order["outer_iid"], order["title"] = "sku_cup", "", "x"
    p = preview(world, "taobao", json.dumps(trade), suggest_skus=True)
    [problem] = [x for x in p.problems if x.code == "unmapped_sku"]
    assert problem.suggestions[0].sku == "SKU-CUP" and "outer id" in problem.suggestions[0].why


def test_bad_money_and_a_missing_field_are_flagged_on_their_fields(world: Ordo) -> None:
    trade = _payload("taobao", "create.json")
    broken = copy.deepcopy(trade)
    broken["orders"]["order"][0]["price"] = "12.345"
    del broken["created"]
    p = preview(world, "taobao", json.dumps(broken))
    assert not p.accepted and p.order is None
    assert {(x.field, x.code) for x in p.problems} == {
        ("orders.order[0].price", "bad_amount"),
        ("created", "missing_field"),
    }


def test_an_unresolved_address_is_a_warning_the_order_is_taken_in_and_held(world: Ordo) -> None:
    payload = _payload("douyin", "create.json")
    detail = payload["data"]["shop_order_detail"] if "data" in payload else payload
    detail["post_addr"] = {
        "province": {"name": "火星"},
        "city": {"name": "奥林匹斯"},
        "town": {"name": ""},
        "detail": "1号",
    }
    p = preview(world, "douyin", json.dumps(payload))
    assert p.accepted
    assert ("ship_to", "unresolved_address", WARNING) in {(x.field, x.code, x.severity) for x in p.problems}


def test_a_masked_receiver_is_a_warning_on_the_receiver_fields(world: Ordo) -> None:
    p = preview(world, "douyin", _body("douyin", "create.json"))
    assert p.accepted
    [masked] = [x for x in p.problems if x.code == "masked_receiver"]
    assert masked.severity == WARNING and "ship_to" in masked.field and "不用于关联顾客" in masked.message


def test_a_platform_error_answer_is_not_taken_in_and_says_the_platforms_words(world: Ordo) -> None:
    p = preview(world, "jd", _body("jd/invalid", "api_error.json"))
    assert not p.accepted and [x.code for x in p.problems] == ["platform_error"]
    assert "订单不存在" in p.problems[0].message


def test_a_status_only_push_is_taken_in_as_an_update(world: Ordo) -> None:
    p = preview(world, "taobao", _body("taobao", "shipped.json"))
    assert p.accepted and p.order is None and [x.code for x in p.problems] == ["status_only"]


def test_a_payload_that_breaks_the_adapter_is_a_flagged_problem_not_a_crash(
    world: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ordo.adapters.channels import ADAPTERS

    def broken(payload: object) -> object:
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(ADAPTERS["jd"], "parse", broken)
    p = preview(world, "jd", "{}")
    assert not p.accepted and [(x.field, x.code) for x in p.problems] == [("body", "malformed_payload")]
