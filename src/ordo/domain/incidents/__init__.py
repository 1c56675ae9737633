"""Incidents (异常, C8): what raised them, their states, playbooks, and cold-chain probes.

In code these are *incidents*, never "exceptions" (that word is Python's); the UI
still says 异常 / exceptions. Pure: standard library only; no I/O, no clock reads.
"""

__all__ = ["incident", "playbooks", "probes", "telemetry"]
