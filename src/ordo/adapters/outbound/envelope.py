"""The one shape every receiver gets: an outbox row as JSON, with its region.

``id`` is the outbox id: receivers de-duplicate on it (delivery is at least once).
"""

from __future__ import annotations

from typing import Any

import orjson

from ordo.domain.geo import find_province

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def region_of(province: str | None) -> str:
    """``浙江省`` → ``浙江``, ``广西壮族自治区`` → ``广西``; no province → ``_``."""
    if not province:
        return "_"
    known = find_province(province)  # also 上海, Guangdong, 内蒙古自治区 …
    if known is not None:
        return known.short
    for suffix in _SUFFIXES:
        if province.endswith(suffix) and len(province) > len(suffix):
            return province[: -len(suffix)]
    return province


def envelope(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "type": row["type"],
        "order_id": row.get("order_id"),
        "channel": row.get("channel"),
        "region": region_of(row.get("province")),
        "at_ns": row["at_ns"],
        "payload": row["payload"],
    }


def body(row: dict[str, Any]) -> bytes:
    return orjson.dumps(envelope(row))


class PublishFailed(Exception):
    """A receiver did not take an event; the offset stays where it was."""
