"""Names users type, and the new platforms' documentation payloads, through the real intake."""

from __future__ import annotations

from pathlib import Path

from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import (
    ChannelOutcome,
    Receipt,
    channel_name,
    channels,
    dead_letters,
    map_payload,
    parse_body,
    secret_for,
    set_secret,
    set_sku_mapping,
)
from ordo.service.runtime.app import Ordo

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def text(channel: str, name: str) -> str:
    return (FIXTURES / channel / name).read_text("utf-8")


def receipts(world: Ordo, pushes: list[Push]) -> list[Receipt]:
    out = receive_batch(world, pushes)
    assert all(isinstance(r, Receipt) for r in out), out
    return [r for r in out if isinstance(r, Receipt)]


def test_a_push_under_any_name_is_stored_under_the_canonical_channel(world: Ordo) -> None:
    assert Push("视频号", "{}").channel == "wechat_channels"
    assert Push("no-such-platform", "{}").channel == "no-such-platform"  # refused later, as before
    set_sku_mapping(world, "weixin", "998877", "SKU-CUP")  # stored for wechat_channels
    set_sku_mapping(world, "有赞", "4801234567891", "SKU-CUP")
    set_sku_mapping(world, "YZ", "998877", "SKU-CUP")
    set_sku_mapping(world, "xhs", "4801234567891", "SKU-CUP")
    first = receipts(
        world,
        [
            Push("视频号", text("wechat_channels", "detail.json")),
            Push("有赞", text("youzan", "trade_get.json")),
            Push("小红书", text("xiaohongshu", "detail.json")),
        ],
    )
    assert [(r.channel, r.outcome) for r in first] == [
        ("wechat_channels", ChannelOutcome.CREATED),
        ("youzan", ChannelOutcome.CREATED),
        ("xiaohongshu", ChannelOutcome.CREATED),
    ]
    with world.store.uow(read_only=True) as uow:
        stored = uow.orders.existing(
            [
                ("wechat_channels", "3712345678901234567"),
                ("youzan", "E20261111010000093806201"),
                ("xiaohongshu", "P712345678901234567"),
            ]
        )
    assert sorted(stored.values()) == sorted(r.order_id for r in first if r.order_id)
    # a later status-only message under yet another name updates the same order
    [update] = receipts(world, [Push("wechat", text("wechat_channels", "status_push.json"))])
    assert update.outcome is ChannelOutcome.PENDING  # 3712345678901234580 is not known yet
    [shipped] = receipts(world, [Push("wechat_channels", text("wechat_channels", "shipped.json"))])
    assert shipped.outcome is ChannelOutcome.CREATED and "completed" in shipped.recorded


def test_an_unmappable_payload_under_an_alias_is_dead_lettered_under_the_canonical_name(world: Ordo) -> None:
    [r] = receipts(world, [Push("XHS", text("xiaohongshu", "invalid/error_answer.json"))])
    assert r.outcome is ChannelOutcome.DEAD_LETTERED and r.channel == "xiaohongshu"
    assert [x["code"] for x in r.reasons] == ["platform_error"]
    assert [d["channel"] for d in dead_letters(world)] == ["xiaohongshu"]


def test_secrets_sku_maps_and_previews_accept_aliases(world: Ordo) -> None:
    set_secret(world, "淘宝", "s" * 20)
    assert secret_for(world, "taobao", env={}) == "s" * 20
    assert (
        secret_for(world, "TB", env={"ORDO_CHANNEL_SECRET_TAOBAO": "from-env-0123456789"})
        == "from-env-0123456789"
    )
    mapped = map_payload(world, "有赞", parse_body(text("youzan", "sold_get_element.json")))
    assert mapped.order is not None and mapped.order.channel == "youzan"
    assert channel_name("天猫") == "tmall" and channel_name("?") == "?"
    listed = {c["channel"]: c for c in channels()}
    assert "视频号" in listed["wechat_channels"]["aliases"] and "pdd" in listed["pinduoduo"]["aliases"]
    assert listed["youzan"]["statuses"]["TRADE_SUCCESS"][-1] == "completed"
