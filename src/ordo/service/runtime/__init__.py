"""What every use case runs on: the ``Ordo`` object, request batching, retries, API keys,
start-up warm-up and the garbage-collector pause around routing waves.

No business decisions live here.
"""

__all__ = ["app", "backoff", "batcher", "collector", "keys", "warmup"]
