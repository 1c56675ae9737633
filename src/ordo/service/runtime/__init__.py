"""What every use case runs on: the ``Ordo`` object, request batching, retries, API keys
and start-up warm-up.

No business decisions live here.
"""

__all__ = ["app", "backoff", "batcher", "keys", "warmup"]
