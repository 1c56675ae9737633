"""Settings from the environment (``ORDO_*``), read once at start-up by the caller."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DB = "sqlite:///ordo.db"
_OFF = ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest request body the API reads, in bytes.
    max_body_bytes: int = 4 * 1024 * 1024
    #: Largest number of orders in one API batch.
    max_batch: int = 1000
    #: HMAC key for phone and email identifiers; empty means a per-database pepper in the store.
    identity_pepper: str = ""
    #: Orders placed within this many seconds of each other are proposed for one parcel (合单).
    merge_window_s: int = 86_400
    #: Cancel orders still unpaid this many minutes after their stock was reserved; 0 is off.
    reservation_ttl_minutes: int = 0
    #: The session cookie's Secure flag: "auto" (when the request came over https), "always", "never".
    cookie_secure: str = "auto"
    #: Hosts outbound subscriptions may reach although they are loopback or private (names or
    #: addresses); every other target must be a public address.
    outbound_allow_hosts: tuple[str, ...] = ()
    #: What one HTTP connection may cost ``ordo serve``: the largest request head (431 past
    #: it), seconds to receive a head and then a body (408 past them), open connections (503).
    max_header_bytes: int = 64 * 1024
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections: int = 1000
    #: Extra directories of channel mapping files (``*.toml``), beside the shipped ones: a
    #: platform added as data, with no Python (``os.pathsep``-separated; empty: none).
    channel_specs_dir: str = ""
    #: The chat bots' secrets and who may command them (a TOML file, read at each callback;
    #: :mod:`ordo.service.insight.chat`); empty: no bot answers.
    chatbots_file: str = ""
    #: The split policy at intake: ship a line's units from several warehouses when none
    #: holds them all (3 from 上海, 2 from 杭州), and the fewest units a parcel of such a
    #: split carries (``ordo.domain.routing.SplitRules``).
    quantity_split: bool = True
    split_min_units: int = 1
    #: Risk feeds polled by ``ordo risk poll`` and, when set, by ``ordo serve``'s background
    #: duty (CAP, GeoJSON or GeoRSS at http(s) URLs; ``ORDO_RISK_FEED_URLS``,
    #: comma-separated) and how often, in seconds.
    risk_feed_urls: tuple[str, ...] = ()
    risk_feed_every_s: float = 300.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        return cls(
            database_url=e.get("ORDO_DATABASE_URL", DEFAULT_DB),
            host=e.get("ORDO_HOST", "127.0.0.1"),
            port=int(e.get("ORDO_PORT", "8000")),
            max_body_bytes=int(e.get("ORDO_MAX_BODY_BYTES", str(4 * 1024 * 1024))),
            max_batch=int(e.get("ORDO_MAX_BATCH", "1000")),
            identity_pepper=e.get("ORDO_IDENTITY_PEPPER", ""),
            merge_window_s=int(e.get("ORDO_MERGE_WINDOW_S", "86400")),
            reservation_ttl_minutes=int(e.get("ORDO_RESERVATION_TTL_MINUTES", "0")),
            cookie_secure=e.get("ORDO_COOKIE_SECURE", "auto"),
            max_header_bytes=int(e.get("ORDO_MAX_HEADER_BYTES", str(64 * 1024))),
            header_timeout_s=float(e.get("ORDO_HEADER_TIMEOUT_S", "10")),
            body_timeout_s=float(e.get("ORDO_BODY_TIMEOUT_S", "30")),
            max_connections=int(e.get("ORDO_MAX_CONNECTIONS", "1000")),
            channel_specs_dir=e.get("ORDO_CHANNEL_SPECS_DIR", ""),
            chatbots_file=e.get("ORDO_CHATBOTS_FILE", ""),
            quantity_split=e.get("ORDO_QUANTITY_SPLIT", "1").strip().lower() not in _OFF,
            split_min_units=max(1, int(e.get("ORDO_SPLIT_MIN_UNITS", "1"))),
            risk_feed_urls=tuple(u.strip() for u in e.get("ORDO_RISK_FEED_URLS", "").split(",") if u.strip()),
            risk_feed_every_s=max(1.0, float(e.get("ORDO_RISK_FEED_EVERY_S", "300"))),
            outbound_allow_hosts=tuple(
                h.strip() for h in e.get("ORDO_OUTBOUND_ALLOW_HOSTS", "").split(",") if h.strip()
            ),
        )


@dataclass(slots=True)
class IdentityConfig:
    """Customer identity settings the service needs at run time."""

    #: Empty until set from ``ORDO_IDENTITY_PEPPER`` or loaded from the store on first use.
    pepper: bytes = b""
    merge_window_s: int = 86_400
