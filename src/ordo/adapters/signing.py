"""The one HMAC signer: HMAC-SHA256 over ``<timestamp>.<raw body>`` with a shared secret.

Used both ways: channels sign the webhooks they push to Ordo (checked by
:func:`check`), and Ordo signs the events it posts to its subscribers (:func:`sign`).
Headers: ``X-Ordo-Timestamp`` — Unix seconds when the sender signed — and
``X-Ordo-Signature`` — ``sha256=<lowercase hex>``. The timestamp is inside the signed
bytes, so a captured request cannot be replayed later with a fresh timestamp; a
receiver refuses timestamps more than :data:`WINDOW_S` from its clock. Signatures are
compared in constant time.

Pure (standard library only): the caller passes the secret and the time; this module
never reads a clock, the environment or the store.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = [
    "MISMATCH",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WINDOW_S",
    "check",
    "check_headers",
    "sign",
    "verify",
]

TIMESTAMP_HEADER = "X-Ordo-Timestamp"
SIGNATURE_HEADER = "X-Ordo-Signature"
WINDOW_S = 300
_PREFIX = "sha256="
#: Unix seconds as ASCII digits (at most 12: the year 33658), and the signature's one shape.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
#: The one answer for a signature that does not match, whatever the reason on the server's
#: side (unknown channel, no secret configured, wrong secret): a caller learns nothing more.
MISMATCH = "signature does not match / 签名不匹配"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Ordo-Signature`` value for this body and timestamp."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: int | str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is this body's and timestamp's, compared in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower())


def check_headers(timestamp: str | None, signature: str | None, now_s: int) -> str | None:
    """None if both headers are well formed and the timestamp is fresh, else why not (bilingual).

    Needs no secret, so it tells the caller only about what the caller sent."""
    if not timestamp or not signature:
        return f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required / 缺少签名或时间戳请求头"
    if not _TIMESTAMP.fullmatch(timestamp.strip()):
        return f"{TIMESTAMP_HEADER} must be Unix seconds in ASCII digits / 时间戳须为 Unix 秒（ASCII 数字）"
    if not _SIGNATURE.fullmatch(signature.strip().lower()):
        return f"{SIGNATURE_HEADER} must be sha256=<64 hex digits> / 签名格式须为 sha256=<64 位十六进制>"
    if abs(int(timestamp.strip()) - now_s) > WINDOW_S:
        return f"timestamp outside the ±{WINDOW_S} s window / 时间戳超出 ±{WINDOW_S} 秒窗口（疑似重放）"
    return None


def check(secret: str, timestamp: str | None, signature: str | None, body: bytes, now_s: int) -> str | None:
    """None if the request is authentic and fresh, else why not (bilingual)."""
    reason = check_headers(timestamp, signature, now_s)
    if reason is not None:
        return reason
    assert timestamp is not None and signature is not None
    if not verify(secret, timestamp.strip(), body, signature):
        return MISMATCH
    return None
