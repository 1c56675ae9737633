"""What every use case runs on: the ``Ordo`` object with its caches and background jobs, the
one retry policy, request batching, API keys, start-up warm-up and the garbage-collector
pause around routing waves.

No business decisions live here, and no live state at module level: the Ordo holds it.
"""

__all__ = ["app", "background", "batcher", "collector", "keys", "retry", "warmup"]
