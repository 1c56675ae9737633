"""CAP 1.2 alerts (OASIS Common Alerting Protocol), as 中国气象局 and other agencies publish
them: one draft per ``info`` block, its area from ``polygon`` (``lat,lon`` pairs),
``circle`` (``lat,lon radius_km``) or ``geocode`` (an adcode), its severity from CAP's
``severity`` or, where the headline names a warning colour (红色预警), from the colour.

``msgType`` Update and Cancel name the alerts they follow in ``references``
(``sender,identifier,sent`` triples, space-separated): an Update's drafts replace the
events recorded from them (info block *n* the referenced alert's block *n*), a Cancel
is one draft that ends them (``cancels``), whether or not it carries an info block.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ordo.adapters.feeds.common import CERTAINTY, FeedError, ns_of, parse_xml
from ordo.domain.risk import (
    COLOUR_SEVERITY,
    Area,
    Assets,
    EventDraft,
    Polygon,
    Regions,
    RiskKind,
    Severity,
    Track,
    kind_of_text,
)

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
_GEOCODES = frozenset({"adcode", "gb2260", "gb/t2260"})


def _t(el: ET.Element, path: str) -> str:
    found = el.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _pairs(text: str) -> tuple[tuple[float, float], ...]:
    out = []
    for pair in text.split():
        lat, _, lon = pair.partition(",")
        try:
            out.append((float(lon), float(lat)))
        except ValueError:
            raise FeedError(f"bad CAP coordinate {pair!r} / CAP 坐标错误") from None
    return tuple(out)


def _area(info: ET.Element) -> Area | None:
    rings: list[tuple[tuple[float, float], ...]] = []
    codes: list[str] = []
    circle: Track | None = None
    for area in info.findall("cap:area", NS):
        for poly in area.findall("cap:polygon", NS):
            pts = _pairs(poly.text or "")
            if len(pts) >= 3:
                rings.append(pts)
        for circ in area.findall("cap:circle", NS):
            centre, _, radius = (circ.text or "").strip().partition(" ")
            (pt,) = _pairs(centre)
            try:
                circle = Track((pt,), float(radius))
            except ValueError:
                raise FeedError(f"bad CAP circle {circ.text!r} / CAP 圆形区域错误") from None
        for gc in area.findall("cap:geocode", NS):
            name, value = _t(gc, "cap:valueName").lower(), _t(gc, "cap:value")
            if name in _GEOCODES and len(value) >= 6 and value[:6].isdigit():
                codes.append(value[:6])
    if rings:
        return Polygon(tuple(rings))
    if circle is not None:
        return circle
    if codes:
        return Regions(tuple(dict.fromkeys(codes)))
    return None


def _severity(info: ET.Element) -> Severity:
    text = " ".join((_t(info, "cap:headline"), _t(info, "cap:event"))).lower()
    for colour, sev in COLOUR_SEVERITY.items():
        if colour in text:
            return sev
    word = _t(info, "cap:severity").lower()
    return Severity(word) if word in Severity.__members__.values() else Severity.MODERATE


def read(data: bytes, *, source: str = "cap") -> list[EventDraft]:
    root = parse_xml(data)
    if root.tag != f"{{{NS['cap']}}}alert":
        raise FeedError("not a CAP 1.2 alert / 不是 CAP 1.2 预警")
    ident = _t(root, "cap:identifier")
    sender = _t(root, "cap:sender")
    sent = ns_of(_t(root, "cap:sent"))
    msg_type = _t(root, "cap:msgType").lower()
    refs = _references(_t(root, "cap:references")) if msg_type in ("update", "cancel") else ()
    if msg_type == "cancel":
        info = root.find("cap:info", NS)
        name = (_t(info, "cap:senderName") if info is not None else "") or sender or source
        title = (_t(info, "cap:headline") if info is not None else "") or f"cancel {', '.join(refs)}"
        return [
            EventDraft(
                kind=RiskKind.OTHER,
                title=title[:200],
                severity=Severity.MINOR,
                confidence=1.0,
                source=name[:64],
                area=None,
                assets=Assets(),
                starts_at_ns=sent,
                ends_at_ns=None,
                source_ref=ident,
                replaces=refs,
                cancels=True,
            )
        ]
    out = []
    for n, info in enumerate(root.findall("cap:info", NS)):
        headline = _t(info, "cap:headline") or _t(info, "cap:event")
        if not headline:
            raise FeedError("a CAP info block has no event or headline / CAP 预警缺少事件名称")
        out.append(
            EventDraft(
                kind=kind_of_text(_t(info, "cap:event"), headline),
                title=headline[:200],
                severity=_severity(info),
                confidence=CERTAINTY.get(_t(info, "cap:certainty").lower(), 0.5),
                source=(_t(info, "cap:senderName") or sender or source)[:64],
                area=_area(info),
                assets=Assets(),
                starts_at_ns=ns_of(_t(info, "cap:onset")) or ns_of(_t(info, "cap:effective")) or sent,
                ends_at_ns=ns_of(_t(info, "cap:expires")),
                source_ref=f"{ident}#{n}" if n else ident,
                replaces=tuple(f"{r}#{n}" if n else r for r in refs),
            )
        )
    return out


def _references(text: str) -> tuple[str, ...]:
    """The identifiers in CAP ``references`` (``sender,identifier,sent`` each)."""
    out = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not parts[1]:
            raise FeedError(
                f"CAP references are sender,identifier,sent: {triple!r} / CAP 引用格式应为 发送者,标识,时间"
            )
        out.append(parts[1])
    if not out:
        raise FeedError(
            "a CAP Update or Cancel names earlier alerts in references / CAP 更新或撤销须注明引用"
        )
    return tuple(out)
