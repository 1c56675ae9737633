"""Risk feeds at configured URLs (``ORDO_RISK_FEED_URLS``), polled: each poll asks every
URL whether its document changed (ETag / Last-Modified), reads a changed one and records
its events (:func:`ordo.service.risk.events.import_feed`: known alerts updated, cancelled
ones ended).

A feed that cannot be fetched, is too large, or does not parse is *reported* — in the
poll's result, in :attr:`FeedPoller.last` and in the log — and the poller goes on with the
next URL and the next poll; it never raises for one feed's trouble. A document that
failed is asked for with its validators like any other, so a broken feed that states an
ETag or Last-Modified is reported once per version, not every poll.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ordo.adapters.feeds.fetch import MAX_FEED_BYTES, TIMEOUT_S, Validators, fetch
from ordo.domain.errors import OrdoError
from ordo.service.risk import events
from ordo.service.runtime.app import Ordo

log = logging.getLogger("ordo.risk.feeds")


@dataclass
class FeedPoller:
    app: Ordo
    urls: Sequence[str]
    timeout_s: float = TIMEOUT_S
    max_bytes: int = MAX_FEED_BYTES
    actor: str = "system:risk_feed"
    #: url → the validators of the last document read (sent back as conditions).
    seen: dict[str, Validators] = field(default_factory=dict)
    #: url → the last poll's report for it.
    last: dict[str, dict[str, Any]] = field(default_factory=dict)

    def poll_once(self) -> list[dict[str, Any]]:
        """One report per URL: ``outcome`` is ``imported`` (with the events), ``unchanged``
        or ``failed`` (with the ``error``)."""
        return [self._one(url) for url in self.urls]

    def _one(self, url: str) -> dict[str, Any]:
        at = self.app.clock.now_ns()
        try:
            last = self.seen.get(url, Validators())
            got = fetch(url, last, timeout_s=self.timeout_s, max_bytes=self.max_bytes)
            if got.data is None:
                report: dict[str, Any] = {"url": url, "outcome": "unchanged"}
            else:
                self.seen[url] = got.validators  # this version is read, well or not
                recorded = events.import_feed(self.app, got.data, actor=self.actor)
                report = {"url": url, "outcome": "imported", "events": [e["id"] for e in recorded]}
        except OrdoError as exc:  # fetch, size, format, a field of an event: reported
            report = {"url": url, "outcome": "failed", "error": str(exc)}
            log.warning("risk feed %s failed: %s", url, exc)
        except Exception as exc:  # anything else one feed does must not stop the others
            report = {"url": url, "outcome": "failed", "error": f"{type(exc).__name__}: {exc}"}
            log.exception("risk feed %s failed", url)
        report["at_ns"] = at
        self.last[url] = report
        return report


@dataclass
class FeedSchedule:
    """The poller as a background duty (``ordo serve`` when ``ORDO_RISK_FEED_URLS`` is set):
    :meth:`step` polls when ``every_s`` has passed on the injected clock since the last poll
    (at once the first time), and otherwise does nothing."""

    poller: FeedPoller
    every_s: float
    #: When the next poll is due (injected clock), None before the first.
    next_ns: int | None = None

    def step(self) -> int:
        now = self.poller.app.clock.now_ns()
        if self.next_ns is not None and now < self.next_ns:
            return 0
        self.next_ns = now + int(self.every_s * 1_000_000_000)
        reports = self.poller.poll_once()
        failed = sum(r["outcome"] == "failed" for r in reports)
        if failed:
            log.warning("risk feed poll: %d of %d feeds failed", failed, len(reports))
        return 0  # paced by the worker's idle wait, whatever the poll found
