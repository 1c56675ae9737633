"""The mapping-file machinery: validation at load, paths, exact values, aliases."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ordo.adapters.channels import ADAPTERS, ALIASES, Unmappable, canonical_channel
from ordo.adapters.channels.declarative import (
    SPECS_DIR,
    DeclarativeAdapter,
    SpecError,
    compile_path,
    load_aliases,
    load_spec,
    load_specs,
    normalise_name,
)
from ordo.domain.orders.milestones import Milestone as M
from ordo.domain.orders.model import Channel

NS = 1_000_000_000
BASE: dict[str, Any] = {
    "channel": "demo",
    "envelope": {"order": ["result.order", ""], "list": ["result.orders"],
                 "error_code": "code", "error_ok": [0], "error_message": "msg"},
    "order": {"id": "id", "status": "state", "complete_when": "items", "buyer_remark": "note"},
    "times": {"format": "shanghai", "placeholders": ["0000-00-00 00:00:00"], "created": "created",
              "paid": {"path": "paid_ms", "format": "epoch_ms"}, "updated": "modified"},
    "money": {"unit": "yuan", "freight": "freight", "paid_total": "paid"},
    "lines": {"path": "items", "sku": ["code", "sku_id"], "quantity": "qty", "price": "price",
              "discount": {"path": "off_fen", "unit": "fen"}, "gift": "gift", "title": "name"},
    "receiver": {"path": "addr@json", "province": "p", "city": "c", "detail": "d", "phone": "tel",
                 "masked": ["phone"]},
    "identifiers": {"buyer_id": "buyer"},
    "statuses": {"NEW": ["created"], "PAID": ["created", "paid"], "GONE": ["created", "cancelled"]},
}  # fmt: skip
ORDER: dict[str, Any] = {
    "id": 12345678901234567890,  # beyond 2^53 and beyond int64
    "state": "PAID",
    "created": "2026-11-11 01:00:00",
    "paid_ms": 1794330060000,
    "modified": "0000-00-00 00:00:00",
    "freight": "5",
    "paid": Decimal("44.80"),
    "note": "快点",
    "buyer": "b-1",
    "addr": json.dumps({"p": "浙江", "c": "杭州", "d": "文三路1号", "tel": "13800138000"}),
    "items": [{"code": "SKU-TEA", "sku_id": 77, "qty": "2", "price": "19.90", "off_fen": 100, "name": "茶"},
              {"sku_id": 78, "qty": 1, "price": 0.1, "gift": True}],
}  # fmt: skip


def adapter(**changes: Any) -> DeclarativeAdapter:
    spec = copy.deepcopy(BASE)
    for key, value in changes.items():
        table, _, sub = key.partition("__")
        if sub:
            spec[table][sub] = value
        elif value is None:
            del spec[table]
        else:
            spec[table] = value
    return DeclarativeAdapter(spec, "demo.toml")


def test_a_spec_maps_every_field_exactly() -> None:
    co = adapter().parse({"result": {"order": ORDER}})
    assert co.external_id == "12345678901234567890" and co.status == "PAID"
    assert co.placed_at_ns == 1_794_330_000 * NS and co.paid_at_ns == 1_794_330_060 * NS
    assert dict(co.steps) == {M.CREATED: 1_794_330_000 * NS, M.PAID: 1_794_330_060 * NS}
    assert [
        (ln.skus, ln.quantity, ln.unit_price_fen, ln.discount_fen, ln.gift, ln.title) for ln in co.lines
    ] == [
        (("SKU-TEA", "77"), 2, 1990, 100, False, "茶"),
        (("78",), 1, 10, 0, True, ""),  # a binary float 0.1 yuan is 10 fen: by its repr, never 0.1 × 100
    ]
    assert co.freight_fen == 500 and co.paid_total_fen == 4480
    assert (co.address.province, co.address.city, co.address.detail) == ("浙江", "杭州", "文三路1号")  # @json
    assert co.remark == "快点" and co.identifiers[0].masked  # the file says the phone is masked
    assert co.tags == ("receiver_masked",)
    tagged = adapter(tags={"awaiting_stock": ["PAID"]}).parse(dict(ORDER, addr=""))
    assert tagged.tags == ("awaiting_stock",)  # no receiver: nothing masked
    by_field = adapter(tags={"refunding": {"path": "refund.state", "values": [2, "3"]}})
    assert by_field.parse(dict(ORDER, addr="", refund={"state": 2})).tags == ("refunding",)
    assert by_field.parse(dict(ORDER, addr="", refund={"state": "3"})).tags == ("refunding",)
    assert by_field.parse(dict(ORDER, addr="", refund={"state": [2]})).tags == ()
    assert [(i.kind, i.value, i.masked) for i in co.identifiers][1] == ("buyer_id", "b-1", False)


def test_a_bare_order_and_a_list_answer() -> None:
    a = adapter()
    assert a.parse(ORDER).external_id == "12345678901234567890"
    two = [dict(ORDER, id="A"), dict(ORDER, id="B")]
    assert [a.parse(o).external_id for o in a.orders_in({"code": 0, "result": {"orders": two}})] == ["A", "B"]
    assert a.orders_in(ORDER) == [ORDER]


def test_every_problem_is_named_by_its_path_at_once() -> None:
    bad = dict(ORDER, id=Decimal("1.5"), state="WHO", created="11/11/2026", freight="5.001",
               items=[{"qty": 0, "price": "abc"}])  # fmt: skip
    with pytest.raises(Unmappable) as exc:
        adapter().parse(bad)
    got = {(r.code, r.field) for r in exc.value.reasons}
    assert got == {
        ("bad_value", "id"),
        ("unknown_status", "state"),
        ("bad_time", "created"),
        ("bad_amount", "freight"),
        ("missing_field", "items[0].code"),
        ("bad_quantity", "items[0].qty"),
        ("bad_amount", "items[0].price"),
    }
    assert all("/" in r.message for r in exc.value.reasons)  # English / 中文


def test_epoch_seconds_refuse_milliseconds_and_placeholders_mean_none() -> None:
    a = adapter(times={"format": "epoch_s", "created": "created", "placeholders": [0, "0"]})
    with pytest.raises(Unmappable) as exc:
        a.parse(dict(ORDER, created=1794330000000))
    assert exc.value.reasons[0].field == "created" and "milliseconds" in exc.value.reasons[0].message
    assert a.parse(dict(ORDER, created=1794330000)).placed_at_ns == 1_794_330_000 * NS
    status_only = a.parse({"id": "X", "state": "GONE", "created": "0"})
    assert not status_only.complete and status_only.placed_at_ns == 0


def test_a_platform_error_answer_names_its_code() -> None:
    with pytest.raises(Unmappable) as exc:
        adapter().parse({"code": 40001, "msg": "invalid token"})
    [reason] = exc.value.reasons
    assert reason.code == "platform_error" and reason.field == "code" and "invalid token" in reason.message


def test_paths() -> None:
    get = compile_path("a[1].b@json.c", "t")
    assert get({"a": [{}, {"b": '{"c": 1.10}'}]}) == Decimal("1.10")
    assert get({"a": [{}]}) is None and get({"a": "x"}) is None and get([]) is None
    assert compile_path("", "t")({"x": 1}) == {"x": 1}
    with pytest.raises(SpecError, match=r"bad path"):
        compile_path("a..b", "t")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"order__qty": "x"}, r"\[order\.qty\] unknown key"),
        ({"surprise": 1}, r"\[surprise\] unknown key"),
        ({"channel": "Bad Name"}, r"\[channel\]"),
        ({"money__unit": "jiao"}, r"\[money\.unit\]"),
        ({"times__format": "lunar"}, r"\[times\.format\]"),
        ({"statuses": {"NEW": ["created", "teleported"]}}, r"\[statuses\.NEW\] unknown milestone"),
        ({"statuses": {}}, r"\[statuses\]"),
        ({"order": {"status": "s", "complete_when": "items"}}, r"\[order\.id\] required"),
        ({"lines__price": 3}, r"\[lines\.price\]"),
        ({"lines__discount": {"path": "x", "currency": "usd"}}, r"\[lines\.discount\] unknown key"),
        ({"receiver__masked": ["shoe_size"]}, r"\[receiver\.masked\]"),
        ({"hook": "no_such_hook"}, r"\[hook\] cannot import"),
        ({"times": {"format": "auto"}}, r"\[times\.created\] required"),
        ({"envelope__error_ok": []}, r"\[envelope\.error_ok\]"),
        ({"money": None}, r"\[money\] required"),
        ({"tags": {"partially_shipped": ["NOPE"]}}, r"\[tags\.partially_shipped\] 'NOPE' is not in"),
        ({"tags": {"Bad Tag": ["NEW"]}}, r"\[tags\.Bad Tag\]"),
        (
            {"tags": {"refund": {"path": "r", "values": [1], "when": 2}}},
            r"\[tags\.refund\] unknown key 'when'",
        ),
        ({"tags": {"refund": {"values": [1]}}}, r"\[tags\.refund\.path\] required"),
    ],
)
def test_a_bad_mapping_file_fails_at_load_naming_the_key(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(SpecError, match=r"^demo\.toml: " + named):
        adapter(**changes)


def test_load_checks_the_file_name_and_the_toml(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text((SPECS_DIR / "youzan.toml").read_text("utf-8"), "utf-8")
    with pytest.raises(SpecError, match=r"must match the file name"):
        load_spec(tmp_path / "other.toml")
    (tmp_path / "broken.toml").write_text("channel = \n", "utf-8")
    with pytest.raises(SpecError, match=r"^broken\.toml: not valid TOML"):
        load_spec(tmp_path / "broken.toml")


def test_the_shipped_specs_load_and_are_registered_as_domain_channels() -> None:
    specs = load_specs()
    assert {s.channel for s in specs} == {"wechat_channels", "youzan", "xiaohongshu"}
    known = {c.value for c in Channel}
    assert set(ADAPTERS) <= known, "every channel is a domain Channel (intake validates it)"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("wechat", "wechat_channels"), ("weixin", "wechat_channels"), ("视频号", "wechat_channels"),
        ("tb", "taobao"), ("淘宝", "taobao"), ("天猫", "tmall"), ("京东", "jd"), ("JD", "jd"),
        ("拼多多", "pinduoduo"), (" PDD ", "pinduoduo"), ("抖音", "douyin"), ("快手", "kuaishou"),
        ("有赞", "youzan"), ("小红书", "xiaohongshu"), ("xhs", "xiaohongshu"), ("XiaoHongShu", "xiaohongshu"),
        ("wechat-channels", "wechat_channels"), ("wechat_mp", "wechat_mp"), ("微信小程序", "wechat_mp"),
    ],
)  # fmt: skip
def test_the_names_users_type(typed: str, canonical: str) -> None:
    assert canonical_channel(typed) == canonical


def test_aliases_are_unique_and_every_canonical_name_maps_to_itself() -> None:
    assert canonical_channel("amazon") is None
    assert all(ALIASES[name] == name for name in ADAPTERS)
    assert normalise_name("  Wechat - Channels ") == "wechat_channels"
    clash = adapter(aliases=["tb"])
    with pytest.raises(SpecError, match=r"alias 'tb' names both"):
        load_aliases((*ADAPTERS.values(), clash))
