"""Risk feeds in standard formats, read from files or a configured URL: CAP 1.2 alerts
(XML), GeoJSON feature collections and GDACS / GeoRSS items. Each reader turns a document
into event drafts (:class:`ordo.domain.risk.EventDraft`); ``fetch`` gets a document from a
URL (conditionally, bounded in time and size). Nothing here touches the store.
"""

from __future__ import annotations

from ordo.adapters.feeds.common import FeedError, read_feed, sniff

__all__ = ["FeedError", "read_feed", "sniff"]
