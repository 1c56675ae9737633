"""What the feed readers share: times, safe XML, confidence words, and the dispatcher."""

from __future__ import annotations

import email.utils
from datetime import datetime
from xml.etree import ElementTree as ET

from ordo.domain.errors import ValidationError
from ordo.domain.risk import EventDraft


class FeedError(ValidationError):
    code = "risk_feed_invalid"

    def __init__(self, message: str) -> None:
        super().__init__("feed", message)


#: CAP ``certainty`` → confidence.
CERTAINTY = {"observed": 1.0, "likely": 0.8, "possible": 0.5, "unlikely": 0.2, "unknown": 0.5}


def ns_of(text: str | None) -> int | None:
    """An ISO 8601 (CAP, GeoJSON) or RFC 822 (RSS) time with its zone, as UTC nanoseconds."""
    if not text or not text.strip():
        return None
    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            raise FeedError(f"unreadable time {raw!r} / 无法识别的时间 {raw!r}") from None
    if dt.tzinfo is None:
        raise FeedError(f"time {raw!r} has no zone / 时间 {raw!r} 缺少时区")
    return int(dt.timestamp()) * 1_000_000_000 + dt.microsecond * 1_000


def parse_xml(data: bytes) -> ET.Element:
    """Parse a feed document; one declaring a DTD or entities is refused (entity expansion)."""
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise FeedError("feeds with a DTD or entities are refused / 拒绝含 DTD 或实体声明的文档")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"not well-formed XML: {exc} / XML 格式错误") from None


def sniff(data: bytes) -> str:
    """``cap``, ``geojson`` or ``georss`` from the document's first bytes."""
    head = data.lstrip()[:2048]
    if head.startswith(b"{"):
        return "geojson"
    if b"urn:oasis:names:tc:emergency:cap" in head or b"<alert" in head:
        return "cap"
    if b"<rss" in head or b"<feed" in head or b"georss" in head:
        return "georss"
    raise FeedError("unknown feed format (CAP, GeoJSON or GeoRSS) / 无法识别的数据格式")


def read_feed(data: bytes, fmt: str | None = None, *, source: str = "") -> list[EventDraft]:
    """Every event draft of a feed document (format sniffed unless given)."""
    from ordo.adapters.feeds import cap, geojson, georss

    kind = fmt or sniff(data)
    readers = {"cap": cap.read, "geojson": geojson.read, "georss": georss.read}
    if kind not in readers:
        raise FeedError(f"format is cap, geojson or georss, not {kind!r} / 格式应为 cap、geojson 或 georss")
    return readers[kind](data, source=source or kind)
