"""``ordo bench channels`` end to end, small: a real server, signed pushes, every one visible."""

from __future__ import annotations

from ordo.bench.channels import bench_mapping, bench_webhooks


def test_every_channel_maps_its_sample_and_reports_payloads_per_second() -> None:
    out = bench_mapping(50)
    from ordo.bench.channels import _ENVELOPES, _SAMPLES

    assert set(out) == set(_SAMPLES) | set(_ENVELOPES)  # bare payloads, and the real answers beside them
    assert {"taobao", "jd", "douyin", "pinduoduo", "kuaishou", "wechat_mp", "pos"} <= set(out)
    assert {"wechat_channels", "youzan", "xiaohongshu"} <= set(out)  # the channels that are mapping files
    assert all(v["payloads"] == 50 and v["payloads_per_s"] > 0 for v in out.values())
    assert all(v["payloads_per_cpu_s"] is None or v["payloads_per_cpu_s"] > 0 for v in out.values())


def test_the_webhook_bench_sees_every_push_as_an_order_and_says_where_the_cpu_went() -> None:
    out = bench_webhooks(40, 80.0)
    assert out["failures"] == 0, out["first_failure"]
    assert (
        out["completed_per_s"] > 0
        and 0 < out["webhook_to_visible"]["p50_ms"] <= out["webhook_to_visible"]["p99_ms"]
    )
    assert out["server_cpu_ms_per_webhook"] > 0 and out["client_cpu_ms_per_webhook"] > 0
    assert set(out["load_average_1m"]) == {"before", "after"}
