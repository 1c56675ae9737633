"""Ordo: an open-source real-time order hub (OMS).

The package is layered (see DESIGN.md §2): ``domain`` is pure, ``service`` is the
one way in for every write, ``adapters`` do I/O, ``api`` and ``cli`` are thin.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
