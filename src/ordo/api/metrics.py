"""Prometheus metrics of one API instance, in its own registry.

A registry per app (not the process-global default) so that a test suite that
builds many apps, or a process that serves two, never registers a name twice.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from ordo.domain.orders.milestones import Outcome

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ordo_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ordo_http_request_duration_seconds",
            "Time to answer an HTTP request (for streams: how long they stayed open).",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.orders = Counter(
            "ordo_api_orders",
            "Orders submitted through the API, by intake outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.milestones = Counter(
            "ordo_api_milestone_updates",
            "Milestone updates submitted through the API, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        # Show every outcome from the start, so a dashboard's rate() has a zero to begin from.
        for outcome in Outcome:
            self.milestones.labels(outcome.value)
        for name in ("created", "duplicate"):
            self.orders.labels(name)

        #: (method, route, status) → its counter and histogram children: ``labels()`` takes
        #: a lock and builds its key on every call, a noticeable share of a 1 ms request.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
