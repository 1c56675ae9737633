"""Order ids that sort by creation time: ``OR`` + 10 base32 chars of ms + 8 random chars."""

from __future__ import annotations

import random
import secrets

from ordo.clock import Clock

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32


def _b32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class IdFactory:
    def __init__(self, clock: Clock, rng: random.Random | None = None) -> None:
        self._clock = clock
        self._rng = rng

    def order_id(self) -> str:
        ms = self._clock.now_ns() // 1_000_000
        bits = self._rng.getrandbits(40) if self._rng else secrets.randbits(40)
        return "OR" + _b32(ms, 10) + _b32(bits, 8)
