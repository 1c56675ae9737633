"""Incidents (异常, C8): the scan that detects them, the ledger that records them,
playbook steps, the human queue, and cold-chain telemetry.

In code these are incidents, never "exceptions"; HTTP paths stay compatible.
"""

__all__ = ["ledger", "queue", "reship", "scan", "steps", "telemetry"]
