"""The dashboard at ``/`` and the customer tracking page at ``/track/{token}``.

Plain HTML and small vanilla JS modules in ``static/``, talking to ``/api/v1`` only.
Third-party assets (Apache ECharts, the China map) come from the npm registry and are
copied into ``static/vendor/`` by ``make assets`` (``npm ci`` + copy); nothing is
loaded from another host, and the pages' Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

from ordo.web.router import STATIC, install

__all__ = ["STATIC", "install"]
