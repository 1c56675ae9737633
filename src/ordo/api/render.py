"""How stored rows look on the wire: masked personal data, readable times, opaque cursors.

Times leave the API twice: the exact UTC nanoseconds (``placed_at_ns``) that Ordo
keeps, and an ISO-8601 string in China Standard Time (``placed_at``) for people.
Cursors are opaque to clients (base64url of JSON) so their content may change.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from ordo.api.errors import InvalidCursor
from ordo.api.schemas import CST
from ordo.domain.pii import mask_detail, mask_name, mask_phone

_NS = 1_000_000_000

#: Columns holding personal data, and how each is masked for roles without READ_PII.
_PII = {"recipient_name": mask_name, "recipient_phone": mask_phone, "detail": mask_detail}


def iso(ns: int) -> str:
    seconds, rest = divmod(ns, _NS)
    return datetime.fromtimestamp(seconds, CST).replace(microsecond=rest // 1000).isoformat()


def with_times(row: Mapping[str, Any]) -> dict[str, Any]:
    """Add ``x`` (ISO-8601) beside every ``x_ns``, recursively into lists and dicts."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        key = str(name)  # column names arrive as str subclasses, which orjson refuses as keys
        if isinstance(value, Mapping):
            out[key] = with_times(value)
        elif isinstance(value, list):
            out[key] = [with_times(v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
        if key.endswith("_ns") and isinstance(value, int):
            out.setdefault(key[:-3], iso(value))
    return out


def masked(row: Mapping[str, Any], see_pii: bool) -> dict[str, Any]:
    out = dict(row)
    if not see_pii:
        for key, mask in _PII.items():
            if isinstance(out.get(key), str):
                out[key] = mask(out[key])
    return out


def order(row: Mapping[str, Any], see_pii: bool) -> dict[str, Any]:
    return with_times(masked(row, see_pii))


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def bad_cursor() -> InvalidCursor:
    return InvalidCursor("cursor is not one this API issued / 分页游标无效", details={"field": "cursor"})


def decode_cursor(cursor: str) -> Any:
    try:
        if len(cursor) > 512:
            raise ValueError("too long")
        return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise bad_cursor() from None
