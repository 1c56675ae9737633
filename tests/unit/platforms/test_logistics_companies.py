"""The carrier → platform logistics company table (adapters/platforms/logistics.json): every
platform Ordo writes back to names every carrier, and the ids confirmed against a published
company list (sources in the file's ``_sources``) stay as the platforms list them."""

from __future__ import annotations

from ordo.adapters.platforms import PLATFORMS, logistics_companies

CARRIERS = {"sf", "jdl", "ems", "zto", "yto", "yunda", "sto", "jtexpress"}


def test_every_platform_names_every_carrier() -> None:
    table = logistics_companies()
    assert set(table) == set(PLATFORMS)
    for platform in PLATFORMS:
        assert set(table[platform]) == CARRIERS, platform
        assert all(v.strip() for v in table[platform].values()), platform


def test_the_ids_confirmed_against_the_platforms_lists() -> None:
    table = logistics_companies()
    # pdd.logistics.companies.get: 1 申通, 44 顺丰, 85 圆通, 115 中通, 118 EMS, 120 京东, 121 韵达, 384 极兔
    assert dict(table["pinduoduo"]) == {
        "sto": "1", "sf": "44", "yto": "85", "zto": "115", "ems": "118", "jdl": "120", "yunda": "121",
        "jtexpress": "384",
    }  # fmt: skip
    # JOS logiCoprId as JD POP integrations list them
    jd = {k: v for k, v in table["jd"].items() if k != "jtexpress"}
    assert jd == {
        "sf": "467",
        "jdl": "2087",
        "ems": "465",
        "zto": "1499",
        "yto": "463",
        "yunda": "1327",
        "sto": "470",
    }
    for top in ("taobao", "tmall"):  # TOP company_code
        assert {k: table[top][k] for k in ("sf", "ems", "zto", "yto", "yunda", "sto")} == {
            "sf": "SF", "ems": "EMS", "zto": "ZTO", "yto": "YTO", "yunda": "YUNDA", "sto": "STO",
        }  # fmt: skip


def test_the_file_names_a_source_for_every_platform() -> None:
    import json
    from importlib import resources

    raw = json.loads(resources.files("ordo.adapters.platforms").joinpath("logistics.json").read_text("utf-8"))
    assert set(raw["_sources"]) == set(PLATFORMS)
