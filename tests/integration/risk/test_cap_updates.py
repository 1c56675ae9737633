"""CAP 1.2 ``msgType`` Update and Cancel (issue 17: feeds): an Update replaces the event its
``references`` name (one event, revised, not two), a Cancel ends it and the router
forgets it; a Cancel of an alert never seen changes nothing; references that are not
``sender,identifier,sent`` are refused, naming the feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordo.adapters.feeds import read_feed
from ordo.adapters.feeds.common import FeedError
from ordo.service.orders.intake import intake
from ordo.service.risk import events
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
ALERT = FIXTURES / "guangdong_red_rainstorm.cap.xml"
UPDATE = FIXTURES / "guangdong_red_rainstorm_update.cap.xml"
CANCEL = FIXTURES / "guangdong_red_rainstorm_cancel.cap.xml"


def _gz(app: Ordo, external_id: str) -> str:
    [r] = intake(
        app, [new_order(external_id, [("SKU-TEA", 1)], province="广东省", city="广州市", district="天河区")]
    )
    return r.order_id


def test_an_update_replaces_the_event_and_a_cancel_ends_it(world: Ordo) -> None:
    [first] = events.import_feed(world, ALERT.read_bytes(), actor="feed")
    [updated] = events.import_feed(world, UPDATE.read_bytes(), actor="feed")
    assert updated["id"] == first["id"]
    assert updated["severity"] == "severe" and "橙色" in updated["title"]
    assert [e["id"] for e in events.listing(world, live_only=True)] == [first["id"]]
    assert [h["action"] for h in events.get(world, first["id"])["history"]] == ["recorded", "updated"]
    from ordo.service.routing.decisions import explain_order

    assert "橙色" in explain_order(world, _gz(world, "RAIN-U"), "zh")

    [ended] = events.import_feed(world, CANCEL.read_bytes(), actor="feed")
    assert ended["id"] == first["id"] and ended["status"] == "restored"
    assert ended["ended_by"] == "44000041600000_20261111150000"
    assert events.listing(world, live_only=True) == []
    assert "暴雨" not in explain_order(world, _gz(world, "RAIN-C"), "zh")  # the router forgot it


def test_a_cancel_of_an_unknown_alert_changes_nothing(world: Ordo) -> None:
    [other] = events.import_feed(world, ALERT.read_bytes(), actor="feed", source="another feed")
    text = (
        CANCEL.read_bytes()
        .replace(b"44000041600000_20261111075500", b"NO-SUCH-ALERT")
        .replace(b"44000041600000_20261111103000", b"NOR-THIS-ONE")
    )
    assert events.import_feed(world, text, actor="feed") == []
    assert [e["id"] for e in events.listing(world, live_only=True)] == [other["id"]]


def test_the_reader_marks_updates_and_cancels_with_what_they_reference() -> None:
    [update] = read_feed(UPDATE.read_bytes())
    assert update.replaces == ("44000041600000_20261111075500",) and not update.cancels
    [cancel] = read_feed(CANCEL.read_bytes())
    assert cancel.cancels and cancel.replaces == (
        "44000041600000_20261111075500",
        "44000041600000_20261111103000",
    )
    bad = CANCEL.read_bytes().replace(b"gdqx@cma.example,44000041600000_20261111075500,", b"only-one-part ")
    with pytest.raises(FeedError, match="sender,identifier,sent"):
        read_feed(bad)
    with pytest.raises(FeedError, match="references"):
        read_feed(CANCEL.read_bytes().split(b"<references>")[0] + b"</alert>")
