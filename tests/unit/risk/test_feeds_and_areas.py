"""Feeds in standard formats read into event drafts, and what an event's area covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordo.adapters.feeds import FeedError, read_feed, sniff
from ordo.adapters.geo import load_divisions
from ordo.adapters.geo.areas import covered_divisions, covered_points, outline
from ordo.domain.errors import ValidationError
from ordo.domain.risk import (
    ImpactStatus,
    Polygon,
    Regions,
    RiskKind,
    Severity,
    Track,
    area_from_json,
    area_to_json,
    check_status,
    plan_tier,
    signals_of,
)
from ordo.domain.risk.model import StatusRefused
from ordo.domain.risk.signals import EventSignal

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
GZ = ("GZ", 23.1579, 113.2732, "440111")
SH = ("SH", 31.3747, 121.2655, "310114")
NN = ("NN", 22.8170, 108.3665, "450102")  # 南宁


def test_a_cap_red_rainstorm_alert_reads_as_an_extreme_rainstorm_over_its_polygon() -> None:
    data = (FIXTURES / "guangdong_red_rainstorm.cap.xml").read_bytes()
    assert sniff(data) == "cap"
    [d] = read_feed(data)
    assert (d.kind, d.severity, d.confidence) == (RiskKind.RAINSTORM, Severity.EXTREME, 0.8)
    assert d.source == "广东省气象台" and d.source_ref == "44000041600000_20261111075500"
    assert isinstance(d.area, Polygon) and d.area.rings[0][0] == (112.8, 22.5)  # lat,lon turned to lng,lat
    assert (
        d.ends_at_ns is not None
        and d.starts_at_ns is not None
        and d.ends_at_ns - d.starts_at_ns == 86_400 * 10**9
    )


def test_a_gdacs_feed_reads_a_point_as_a_circle_and_a_polygon_in_lat_lon_order() -> None:
    tc, flood = read_feed((FIXTURES / "gdacs_tc.georss.xml").read_bytes())
    assert tc.kind is RiskKind.TYPHOON and tc.severity is Severity.EXTREME
    assert isinstance(tc.area, Track) and tc.area.points == ((113.6, 22.6),) and tc.area.radius_km == 250
    assert flood.kind is RiskKind.FLOOD and flood.severity is Severity.SEVERE
    assert isinstance(flood.area, Polygon) and flood.area.rings[0][0] == (107.5, 22.5)


def test_a_geojson_line_is_a_track_and_named_warehouses_need_no_geometry() -> None:
    [tc] = read_feed((FIXTURES / "typhoon_haikui_track.geojson").read_bytes())
    assert isinstance(tc.area, Track) and len(tc.area.points) == 6 and tc.area.radius_km == 120
    [pwr] = read_feed((FIXTURES / "warehouse_power_loss.geojson").read_bytes())
    assert pwr.area is None and pwr.assets.warehouses == {"WH-GZ"} and pwr.kind is RiskKind.POWER_LOSS


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>',
        b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><info><event>",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}',
        b'{"type": "Feature", "geometry": {"type": "Point", "coordinates": "x"},'
        b' "properties": {"title": "t"}}',
        b"plain text",
        b'<rss version="2.0"><channel><item><title>t</title>'
        b'<georss:point xmlns:georss="http://www.georss.org/georss">1</georss:point></item></channel></rss>',
    ],
)
def test_a_malformed_feed_is_a_feed_error_never_a_crash(doc: bytes) -> None:
    with pytest.raises(FeedError) as err:
        read_feed(doc)
    assert err.value.field == "feed" and "/" in err.value.message


def test_a_track_covers_the_districts_and_warehouses_within_its_radius_only() -> None:
    div = load_divisions()
    track = Track(((117.8, 18.6), (114.6, 21.6), (113.1, 23.5)), 120.0)
    codes = covered_divisions(track, div)
    assert "440106" in codes and "440100" in codes  # 天河区 and its city 广州
    assert not any(c.startswith("31") for c in codes)  # nothing in 上海
    assert covered_points(track, [GZ, SH, NN]) == {"GZ"}
    wider = covered_points(Track(track.points, 600.0), [GZ, SH, NN])
    assert wider == {"GZ", "NN"}
    assert len(outline(track, div)) > 10


def test_regions_cover_everything_under_their_codes() -> None:
    div = load_divisions()
    codes = covered_divisions(Regions(("440000",)), div)
    assert all(c.startswith("44") for c in codes) and "440111" in codes and len(codes) > 100
    assert covered_points(Regions(("440100",)), [GZ, SH]) == {"GZ"}


def test_areas_round_trip_and_bad_ones_name_their_field() -> None:
    doc = {"type": "track", "points": [[113.0, 23.0], [114.0, 24.0]], "radius_km": 80}
    assert area_to_json(area_from_json(doc)) == {**doc, "radius_km": 80.0}
    with pytest.raises(ValidationError) as err:
        area_from_json({"type": "polygon", "coordinates": [[[1, 2], [3, 400]] * 2]})
    assert err.value.field == "area.coordinates[0]"


def test_impact_statuses_follow_their_table() -> None:
    check_status("E", ImpactStatus.POTENTIAL, ImpactStatus.CONFIRMED)
    check_status("E", ImpactStatus.NO_IMPACT, ImpactStatus.RESTORED)
    with pytest.raises(StatusRefused):
        check_status("E", ImpactStatus.RESTORED, ImpactStatus.POTENTIAL)
    with pytest.raises(StatusRefused):
        check_status("E", ImpactStatus.CONFIRMED, ImpactStatus.NO_IMPACT)


def test_signals_keep_the_strongest_risk_and_close_what_a_blocking_event_covers() -> None:
    rain = EventSignal("R", "暴雨", "rain", 0.4, False, frozenset({"GZ", "SZ"}))
    power = EventSignal("P", "停电", "power", 0.75, True, frozenset({"GZ"}))
    strike = EventSignal("S", "罢工", "strike", 0.5, False, frozenset(), frozenset({"zto"}))
    sig = signals_of([rain, power, strike])
    assert sig.warehouse_risk == {"GZ": 1.0, "SZ": 0.4} and sig.closed == {"GZ"}
    assert sig.carrier_risk == {"zto": 0.5} and [n[0] for n in sig.notes["GZ"]] == ["R", "P"]
    assert signals_of([]).empty


def test_a_plan_over_the_bounds_needs_the_higher_tier() -> None:
    assert plan_tier(10, 100_000) == (2, None)
    tier, why = plan_tier(201, 0)
    assert tier == 3 and why is not None and "L3" in why
    assert plan_tier(1, 20_000_001)[0] == 3
