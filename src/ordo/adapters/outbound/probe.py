"""Is a broker reachable? One TCP connection to the host and port of its URL.

For readiness (``/readyz``): cheap, no protocol handshake, no credentials sent. A broker
that accepts connections but refuses Ordo's is the relay's to report (its backoff and log).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

#: The port of each scheme when the URL names none.
DEFAULT_PORTS = {"nats": 4222, "tls": 4222, "mqtt": 1883, "mqtts": 8883}


def address(url: str) -> tuple[str, int]:
    """(host, port) of a broker URL such as ``nats://h:4222`` or ``mqtt://user:pw@h``."""
    parts = urlsplit(url if "://" in url else f"nats://{url}")
    return parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORTS.get(parts.scheme, 4222)


def unreachable(url: str, timeout_s: float = 1.0) -> str | None:
    """None when a TCP connection to the broker opens within ``timeout_s``; else why not."""
    host, port = address(url)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror or exc}"
