"""Risk radar use cases: outside events (``events``), the impact scan (``impact``) and
disposal plans (``plans``); stored rows and views in ``records``.

The router reads the live events' signals through ``RoutingCache.signals``
(``ordo.service.routing.context``).
"""

__all__ = ["events", "impact", "plans", "records"]
