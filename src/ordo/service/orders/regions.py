"""Region filters as people type them: ``广东`` = ``广东省`` = ``Guangdong`` = ``44``.

Turns the text of a list's region filter (orders, held orders) into a
:class:`~ordo.service.ports.RegionFilter`: an adcode prefix (a province, a city or a
district: ``广东``, ``广州`` / ``广东广州``, ``天河区`` in ``广州天河区``, or the code
itself, ``44``, ``4401``, ``440106``) and, for a province, its stored names. A text that
names no place is refused (422 naming the field), never silently matched against nothing.
Reads the division registry only; writes nothing.
"""

from __future__ import annotations

from ordo.domain.errors import ValidationError
from ordo.domain.geo import find_province
from ordo.service.channels.receive import resolver_for
from ordo.service.ports import RegionFilter
from ordo.service.runtime.app import Ordo

__all__ = ["region_filter"]

#: Longest filter text read: the longest province name and a district, with room to spare.
MAX_TEXT = 32


def _prefix(adcode: str) -> str:
    """``440000`` → ``44``, ``440100`` → ``4401``, ``440106`` → ``440106``."""
    code = adcode[:6]
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def _refused(field: str, text: str) -> ValidationError:
    return ValidationError(
        field,
        f"{text!r} names no province, city or district (try 广东, 广东省, 广州, Guangdong or an "
        f"adcode such as 44 / 4401) / 「{text}」不是省、市或区县的名称"
        "（可写 广东、广东省、广州 或行政区划代码）",
        details={"value": text},
    )


def region_filter(app: Ordo, text: str, *, field: str = "province") -> RegionFilter:
    """The region a filter's text names; raises ValidationError on ``field`` when none."""
    raw = text.strip()
    if not raw or len(raw) > MAX_TEXT:
        raise _refused(field, raw[:MAX_TEXT])
    if raw.isdigit():
        if len(raw) not in (2, 4, 6, 9, 12):
            raise _refused(field, raw)
        prefix = _prefix(raw[:6].ljust(6, "0"))
        if prefix.ljust(6, "0") not in app.divisions.by_code:
            raise _refused(field, raw)
    else:
        province = find_province(raw)
        if province is not None:
            prefix = province.code
        else:
            resolver = resolver_for(app.divisions)
            found = resolver.parse(raw)
            # Unknown or ambiguous (朝阳区: Beijing or Changchun?), or more than a place
            # ("广州天河路": a street is not a region).
            if not found.resolved or found.rest:
                raise _refused(field, raw)
            assert found.adcode is not None
            prefix = _prefix(found.adcode)
    if len(prefix) == 2:
        p = find_province(prefix)
        if p is None:
            raise _refused(field, raw)
        # The full name only: intake and migration 0015 store it so, and one value keeps the
        # (province, id) index walk newest-first (an IN list would sort every match).
        return RegionFilter(prefix, (p.name,))
    return RegionFilter(prefix)
