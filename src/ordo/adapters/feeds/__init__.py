"""Risk feeds in standard formats, read from files: CAP 1.2 alerts (XML), GeoJSON feature
collections and GDACS / GeoRSS items. Each reader turns a document into event drafts
(:class:`ordo.domain.risk.EventDraft`); nothing here touches the store or the network.
"""

from __future__ import annotations

from ordo.adapters.feeds.common import FeedError, read_feed, sniff

__all__ = ["FeedError", "read_feed", "sniff"]
