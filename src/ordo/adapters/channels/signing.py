"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<raw body>`` with the channel's secret.

Headers (documented in the API): ``X-Ordo-Timestamp`` — Unix seconds when the
sender signed — and ``X-Ordo-Signature`` — ``sha256=<lowercase hex>``. The timestamp
is inside the signed bytes, so a captured request cannot be replayed later with a
fresh timestamp; the receiver refuses timestamps more than :data:`WINDOW_S` from
its clock. Pure: the caller passes the clock's now.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Ordo-Timestamp"
SIGNATURE_HEADER = "X-Ordo-Signature"
WINDOW_S = 300
_PREFIX = "sha256="


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Ordo-Signature`` value for this body and timestamp."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def check(secret: str, timestamp: str | None, signature: str | None, body: bytes, now_s: int) -> str | None:
    """None if the request is authentic and fresh, else why not (bilingual)."""
    if not timestamp or not signature:
        return f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required / 缺少签名或时间戳请求头"
    if not timestamp.strip().isdigit():
        return f"{TIMESTAMP_HEADER} must be Unix seconds / 时间戳须为 Unix 秒"
    if abs(int(timestamp) - now_s) > WINDOW_S:
        return f"timestamp outside the ±{WINDOW_S} s window / 时间戳超出 ±{WINDOW_S} 秒窗口（疑似重放）"
    if not hmac.compare_digest(sign(secret, timestamp.strip(), body), signature.strip().lower()):
        return "signature does not match / 签名不匹配"
    return None
