"""A feed at a configured URL, fetched the way a polite poller does: conditionally
(``If-None-Match`` with the last ``ETag``, ``If-Modified-Since`` with the last
``Last-Modified``), within a timeout, and never more than ``max_bytes`` of body (read as
it streams, so a huge or endless answer is cut off, not buffered).

It only fetches: reading the document is :func:`ordo.adapters.feeds.read_feed`'s job.
Every failure (transport, HTTP status, size) is a :class:`FeedError` naming the URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ordo.adapters.feeds.common import FeedError

#: A feed document larger than this is refused (CAP alerts are kilobytes; GDACS' RSS ~1 MB).
MAX_FEED_BYTES = 8 * 1024 * 1024
TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last answer said about its version, sent back on the next request."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True, slots=True)
class Fetched:
    """``data`` is None when the server said the feed had not changed (304)."""

    data: bytes | None
    validators: Validators
    status: int


def fetch(
    url: str,
    last: Validators = Validators(),
    *,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_FEED_BYTES,
    client: httpx.Client | None = None,
) -> Fetched:
    """The feed's document if it changed since ``last`` (see the module doc)."""
    if not url.startswith(("http://", "https://")):
        raise FeedError(f"{url}: a feed URL is http:// or https:// / 预警源地址应为 http(s)")
    own = client is None
    c = client or httpx.Client(follow_redirects=True)
    headers = {"Accept": "application/xml, application/json, */*", **last.headers()}
    try:
        with c.stream("GET", url, headers=headers, timeout=timeout_s) as r:
            if r.status_code == 304:
                return Fetched(None, last, 304)
            if r.status_code != 200:
                raise FeedError(f"{url}: HTTP {r.status_code} / 预警源返回 {r.status_code}")
            declared = r.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedError(f"{url}: {declared} bytes, more than {max_bytes} / 预警文件过大")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise FeedError(f"{url}: more than {max_bytes} bytes / 预警文件过大")
            got = Validators(r.headers.get("ETag", ""), r.headers.get("Last-Modified", ""))
            return Fetched(bytes(body), got, 200)
    except httpx.TimeoutException:
        raise FeedError(f"{url}: no answer within {timeout_s} s / 预警源超时") from None
    except httpx.HTTPError as exc:
        raise FeedError(f"{url}: {type(exc).__name__}: {exc} / 无法读取预警源") from None
    finally:
        if own:
            c.close()
