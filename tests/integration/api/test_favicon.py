"""The favicon: both pages link it, and ``/favicon.ico`` answers for browsers that just ask."""

from __future__ import annotations

from tests.integration.api.conftest import TestClient


def test_favicon_ico_is_served_as_an_icon(client: TestClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)


def test_the_dashboard_and_tracking_pages_link_the_favicon_and_it_is_served(client: TestClient) -> None:
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.text.lstrip().startswith("<svg")
    for page in ("/", "/track/whatever"):
        text = client.get(page).text
        assert '<link rel="icon" href="/favicon.ico"' in text, page
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text, page
