"""Channels (C1): everything a platform sends, received, mapped and taken in;
file imports; the in-process caches every webhook reads.

Platform payload shapes live in :mod:`ordo.adapters.channels`, never here.
"""

__all__ = ["cache", "importing", "intake", "receive"]
