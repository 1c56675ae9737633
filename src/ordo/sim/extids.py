"""External order ids in each platform's own style.

Taobao and Tmall number a trade (tid) with 19 digits, JD an order with 12, Douyin
with 19 digits starting 69, Pinduoduo writes ``yymmdd-`` and 15 digits, Kuaishou 16
digits; mini-program, POS and B2B ids are merchant-made. Uniqueness per channel is
the caller's job (it keeps the ids it issued and draws again on a clash).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

#: China Standard Time: no daylight saving since 1991, so a fixed offset is exact.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_time(at_ns: int) -> datetime:
    return datetime.fromtimestamp(at_ns / 1e9, SHANGHAI)


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def external_id(channel: str, placed_at_ns: int, rng: random.Random) -> str:
    t = local_time(placed_at_ns)
    if channel in ("taobao", "tmall"):
        return str(rng.randint(1, 3)) + _digits(rng, 18)
    if channel == "jd":
        return str(rng.randint(2, 3)) + _digits(rng, 11)
    if channel == "douyin":
        return "69" + _digits(rng, 17)
    if channel == "pinduoduo":
        return f"{t:%y%m%d}-" + _digits(rng, 15)
    if channel == "kuaishou":
        return "2" + _digits(rng, 15)
    if channel == "wechat_mp":
        return f"WX{t:%Y%m%d%H%M%S}" + _digits(rng, 6)
    if channel == "pos":
        return f"POS{rng.randint(1, 300):04d}{t:%Y%m%d}" + _digits(rng, 5)
    if channel == "b2b":
        return f"PO{t:%Y%m}" + _digits(rng, 6)
    return f"API-{rng.getrandbits(48):012x}"
