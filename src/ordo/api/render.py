"""How stored rows look on the wire: masked personal data, readable times, opaque cursors.

Times leave the API twice: the exact UTC nanoseconds (``placed_at_ns``) that Ordo
keeps, and an ISO-8601 string in China Standard Time (``placed_at``) for people.
Cursors are opaque to clients (base64url of the page's last key) so their content may change;
their form is in the schema as a pattern.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query

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


#: A cursor is base64url (unpadded) of UTF-8 text. Every string of this form is a position to
#: read after (the pages are keyed by text, which any text can be compared with), so a client
#: that sends what the schema allows is never refused; an issued one is the page's last key.
CURSOR_PATTERN = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"
#: The positions of pages keyed by a row's integer id: the id in decimal.
ID_CURSOR_PATTERN = r"^[0-9]{1,18}$"
_CURSOR_HELP = "next_cursor of the previous page / 上一页的 next_cursor"
#: The ``cursor`` query parameter of a page keyed by text.
Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, max_length=512, description=_CURSOR_HELP)]
#: The ``cursor`` query parameter of a page keyed by an integer id.
IdCursor = Annotated[str | None, Query(pattern=ID_CURSOR_PATTERN, description=_CURSOR_HELP)]
#: Between the parts of a composite key: no key part holds it (they are stripped, printable text).
_PART = "\x1f"


def encode_cursor(*key: str) -> str:
    return base64.urlsafe_b64encode(_PART.join(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int = 1) -> tuple[str, ...]:
    """The key a cursor of :data:`CURSOR_PATTERN` stands for, as ``parts`` strings.

    Bytes that are not UTF-8 (and NUL, which no store takes) become U+FFFD: such a cursor was
    not issued, but it still names a place in the key order, like any other text.
    """
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    text = raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    key = text.split(_PART, parts - 1)
    return (*key, *[""] * (parts - len(key)))
